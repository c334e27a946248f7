;; Hamming distances of sign bits with SIMD popcount, and the slots within a distance, for
;; sign-index.ts (compiled into its HAMMING_WASM by compile-hamming.ts). Vectors lie one after
;; another, `groups` 16-byte groups each (their bits padded with zeros to whole groups); the
;; query likewise.
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

  ;; within(distances, count, limit, out) -> written: the slots (u32, in order) whose distance
  ;; (u16) is at most `limit`. Eight distances at a time are passed over when none is (nearly
  ;; all of them); lanes past `count` (whatever follows the distances) are never taken.
  (func (export "within") (param $distances i32) (param $count i32) (param $limit i32) (param $out i32) (result i32)
    (local $slot i32) (local $last i32) (local $above v128) (local $start i32)
    (local.set $start (local.get $out))
    (local.set $above (i16x8.splat (i32.add (local.get $limit) (i32.const 1))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $slot) (local.get $count)))
        (if (v128.any_true (i16x8.lt_u (v128.load (i32.add (local.get $distances) (i32.shl (local.get $slot) (i32.const 1)))) (local.get $above)))
          (then
            (local.set $last (i32.add (local.get $slot) (i32.const 8)))
            (if (i32.gt_u (local.get $last) (local.get $count)) (then (local.set $last (local.get $count))))
            (loop $each
              (if (i32.le_u (i32.load16_u (i32.add (local.get $distances) (i32.shl (local.get $slot) (i32.const 1)))) (local.get $limit))
                (then
                  (i32.store (local.get $out) (local.get $slot))
                  (local.set $out (i32.add (local.get $out) (i32.const 4)))))
              (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
              (br_if $each (i32.lt_u (local.get $slot) (local.get $last))))
            (br $block)))
        (local.set $slot (i32.add (local.get $slot) (i32.const 8)))
        (br $block)))
    (i32.shr_u (i32.sub (local.get $out) (local.get $start)) (i32.const 2)))
)
