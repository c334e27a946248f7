;; Hamming distances of sign bits with SIMD popcount, for sign-index.ts (compiled into its
;; HAMMING_WASM by compile-hamming.ts). Vectors lie one after another, `groups` 16-byte
;; groups each (their bits padded with zeros to whole groups); the query likewise.
(module
  (memory (export "memory") 1)
  ;; distances(vectors, count, groups, query, out): out[i] (u16) = popcount(vector i XOR query).
  (func (export "distances") (param $vectors i32) (param $count i32) (param $groups i32) (param $query i32) (param $out i32)
    (local $end i32) (local $g i32) (local $acc v128) (local $sum v128) (local $stride i32)
    (local.set $stride (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 1))))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $g (i32.const 0))
        (loop $group
          (local.set $acc
            (i8x16.add (local.get $acc)
              (i8x16.popcnt
                (v128.xor
                  (v128.load (i32.add (local.get $vectors) (local.get $g)))
                  (v128.load (i32.add (local.get $query) (local.get $g)))))))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $g) (local.get $stride))))
        ;; At most 8 bits a lane per group: 31 groups (3,968 bits) cannot overflow a byte.
        (local.set $sum (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
        (i32.store16 (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 1 (local.get $sum)))
            (i32.add (i32x4.extract_lane 2 (local.get $sum)) (i32x4.extract_lane 3 (local.get $sum)))))
        (local.set $vectors (i32.add (local.get $vectors) (local.get $stride)))
        (local.set $out (i32.add (local.get $out) (i32.const 2)))
        (br $vector))))
)
