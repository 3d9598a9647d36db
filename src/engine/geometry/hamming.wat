;; The Hamming matcher's kernel (hamming.ts), in WebAssembly text. Compiled by
;; tools/geometry/build-hamming-wasm.ts (wabt) into hammingWasm.ts; a unit test checks that the
;; committed bytes are this file compiled, and that the results equal the JS matcher's.
(module
  (memory (export "memory") 1)
  ;; knn(a, nq, b, nt, words, out): exhaustive Hamming 2-NN of each of the nq rows at a against the
  ;; nt rows at b (rows of `words` 64-bit words), and 1-NN of each b row among the a rows.
  ;; out: best[nq] bestDist[nq] secondDist[nq] reverseBest[nt] reverseDist[nt], i32 each.
  ;; Ties keep the lowest index (strict <), as the JS matcher (hamming.ts, its CPU reference) and
  ;; OpenCV do. ORB's 256-bit rows (words = 4) take an unrolled path of four i64.popcnt.
  (func (export "knn") (param $a i32) (param $nq i32) (param $b i32) (param $nt i32) (param $words i32) (param $out i32)
    (local $q i32) (local $t i32) (local $qo i32) (local $to i32) (local $k i32) (local $d i32)
    (local $b1 i32) (local $b2 i32) (local $bi i32) (local $row i32)
    (local $pBD i32) (local $pSD i32) (local $pRB i32) (local $pRD i32) (local $r i32)
    (local.set $row (i32.shl (local.get $words) (i32.const 3)))
    (local.set $pBD (i32.add (local.get $out) (i32.shl (local.get $nq) (i32.const 2))))
    (local.set $pSD (i32.add (local.get $pBD) (i32.shl (local.get $nq) (i32.const 2))))
    (local.set $pRB (i32.add (local.get $pSD) (i32.shl (local.get $nq) (i32.const 2))))
    (local.set $pRD (i32.add (local.get $pRB) (i32.shl (local.get $nt) (i32.const 2))))
    (local.set $t (i32.const 0))
    (block $init_end
      (loop $init
        (br_if $init_end (i32.ge_u (local.get $t) (local.get $nt)))
        (i32.store (i32.add (local.get $pRB) (i32.shl (local.get $t) (i32.const 2))) (i32.const -1))
        (i32.store (i32.add (local.get $pRD) (i32.shl (local.get $t) (i32.const 2))) (i32.const 1000000000))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $init)))
    (local.set $q (i32.const 0))
    (block $q_end
      (loop $q_loop
        (br_if $q_end (i32.ge_u (local.get $q) (local.get $nq)))
        (local.set $qo (i32.add (local.get $a) (i32.mul (local.get $q) (local.get $row))))
        (local.set $b1 (i32.const 1000000000))
        (local.set $b2 (i32.const 1000000000))
        (local.set $bi (i32.const -1))
        (local.set $t (i32.const 0))
        (local.set $to (local.get $b))
        (block $t_end
          (loop $t_loop
            (br_if $t_end (i32.ge_u (local.get $t) (local.get $nt)))
            (if (i32.eq (local.get $words) (i32.const 4))
              (then
                (local.set $d (i32.wrap_i64 (i64.add
                  (i64.add
                    (i64.popcnt (i64.xor (i64.load (local.get $qo)) (i64.load (local.get $to))))
                    (i64.popcnt (i64.xor (i64.load offset=8 (local.get $qo)) (i64.load offset=8 (local.get $to)))))
                  (i64.add
                    (i64.popcnt (i64.xor (i64.load offset=16 (local.get $qo)) (i64.load offset=16 (local.get $to))))
                    (i64.popcnt (i64.xor (i64.load offset=24 (local.get $qo)) (i64.load offset=24 (local.get $to)))))))))
              (else
                (local.set $d (i32.const 0))
                (local.set $k (i32.const 0))
                (block $k_end
                  (loop $k_loop
                    (br_if $k_end (i32.ge_u (local.get $k) (local.get $row)))
                    (local.set $d (i32.add (local.get $d) (i32.wrap_i64 (i64.popcnt (i64.xor
                      (i64.load (i32.add (local.get $qo) (local.get $k)))
                      (i64.load (i32.add (local.get $to) (local.get $k))))))))
                    (local.set $k (i32.add (local.get $k) (i32.const 8)))
                    (br $k_loop)))))
            (if (i32.lt_s (local.get $d) (local.get $b1))
              (then
                (local.set $b2 (local.get $b1))
                (local.set $b1 (local.get $d))
                (local.set $bi (local.get $t)))
              (else
                (if (i32.lt_s (local.get $d) (local.get $b2)) (then (local.set $b2 (local.get $d))))))
            (local.set $r (i32.add (local.get $pRD) (i32.shl (local.get $t) (i32.const 2))))
            (if (i32.lt_s (local.get $d) (i32.load (local.get $r)))
              (then
                (i32.store (local.get $r) (local.get $d))
                (i32.store (i32.add (local.get $pRB) (i32.shl (local.get $t) (i32.const 2))) (local.get $q))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (local.set $to (i32.add (local.get $to) (local.get $row)))
            (br $t_loop)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $q) (i32.const 2))) (local.get $bi))
        (i32.store (i32.add (local.get $pBD) (i32.shl (local.get $q) (i32.const 2))) (local.get $b1))
        (i32.store (i32.add (local.get $pSD) (i32.shl (local.get $q) (i32.const 2))) (local.get $b2))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $q_loop)))))
