package rdb

import "encoding/binary"

// Redis checksums RDB files and DUMP payloads with CRC-64 "Jones":
// polynomial 0xad93d23594c935a9, reflected input and output, initial value
// 0, no final xor. In reflected form the polynomial is 0x95ac9329ac4bc9b5.
// The check value of "123456789" is 0xe9c6d914c4b8d9ca.
//
// hash/crc64 could compute it (complementing before and after Update), but
// it only uses slicing-by-8 for its two built-in polynomials and rebuilds
// the tables on every large call for any other; this file keeps one
// immutable slicing-by-8 table built when the package is loaded.
const crcPolyReflected = 0x95ac9329ac4bc9b5 // format constant: never change

// crcTables is computed once and only ever read.
var crcTables = makeCRCTables()

func makeCRCTables() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := 0; i < 256; i++ {
		c := uint64(i)
		for j := 0; j < 8; j++ {
			if c&1 == 1 {
				c = c>>1 ^ crcPolyReflected
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for i := 0; i < 256; i++ {
		c := t[0][i]
		for k := 1; k < 8; k++ {
			c = t[0][c&0xff] ^ c>>8
			t[k][i] = c
		}
	}
	return t
}

// crc64Update extends the Redis CRC-64 crc with p.
func crc64Update(crc uint64, p []byte) uint64 {
	t := crcTables
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^
			t[4][crc>>24&0xff] ^ t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^
			t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}
