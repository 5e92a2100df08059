package store

import "unsafe"

// packed is the 16-byte header of a hash or sorted set. Most such values in
// practice are small and live in their packed ("listpack") form, where the
// header plus one exactly sized byte buffer is all the value costs; a slice
// header, a count and a pointer to the large form would take 40 bytes (a
// 48-byte allocation) for every small value, which made 1M three-field
// hashes cost 1.7× Redis's memory. So one pointer serves both forms: the
// packed bytes (size bytes long, capacity = length, since every
// modification builds an exactly sized buffer) or, once converted, the large
// form *B, marked by size == largeForm.
type packed[B any] struct {
	p    unsafe.Pointer
	size uint32 // bytes of the packed form, or largeForm
	n    uint32 // elements in the packed form
}

const largeForm = 1<<32 - 1

// maxPackedBytes bounds the packed form whatever the configured limits:
// past it a value converts to its large form, as Redis converts a listpack
// that would outgrow its 1 GB safety limit.
const maxPackedBytes = 1 << 30

// large is the large form, or nil while the value is packed.
func (x *packed[B]) large() *B {
	if x.size != largeForm {
		return nil
	}
	return (*B)(x.p)
}

func (x *packed[B]) setLarge(b *B) { x.p, x.size, x.n = unsafe.Pointer(b), largeForm, 0 }

// bytes is the packed form (nil once converted, or when empty).
func (x *packed[B]) bytes() []byte {
	if x.size == largeForm || x.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(x.p), x.size)
}

// setBytes makes b the packed form; b is retained. len(b) must not exceed
// maxPackedBytes (callers convert before that).
func (x *packed[B]) setBytes(b []byte) {
	if len(b) == 0 {
		x.p, x.size = nil, 0
		return
	}
	x.p, x.size = unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))
}
