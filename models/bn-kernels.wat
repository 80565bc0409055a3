;; Fused batch-norm + ReLU kernels for training on TensorFlow.js's WebAssembly backend
;; (models/fused-bn.ts). They work in place on the backend's own memory: every pointer is a byte
;; offset of a float32 tensor there. x, y, dy, dz, dx, skip: M rows of C channels (NHWC with
;; M = N H W; C a multiple of 4); other arrays: C channels. Four channels per SIMD operation.
;; Compiled to bn-kernels.wasm by scripts/wat.mjs (npm's prepare step).
(module
  (import "env" "memory" (memory 1))

  ;; out[c] = 0 for every channel
  (func $zero (param $out i32) (param $cb i32)
    (local $j i32)
    (loop $l
      (v128.store (i32.add (local.get $out) (local.get $j)) (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $j) (local.get $cb)))))

  ;; out[c] = sum over rows of x[m, c]
  (func (export "colsum") (param $x i32) (param $m i32) (param $c i32) (param $out i32)
    (local $cb i32) (local $end i32) (local $j i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (call $zero (local.get $out) (local.get $cb))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $cb))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $j (i32.const 0))
        (loop $cols
          (v128.store (i32.add (local.get $out) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $out) (local.get $j)))
              (v128.load (i32.add (local.get $x) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (br $rows))))

  ;; out[c] = sum over rows of (x[m, c] - mean[c])^2
  (func (export "colsumsq") (param $x i32) (param $mean i32) (param $m i32) (param $c i32) (param $out i32)
    (local $cb i32) (local $end i32) (local $j i32) (local $d v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (call $zero (local.get $out) (local.get $cb))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $cb))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $d
            (f32x4.sub
              (v128.load (i32.add (local.get $x) (local.get $j)))
              (v128.load (i32.add (local.get $mean) (local.get $j)))))
          (v128.store (i32.add (local.get $out) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $out) (local.get $j)))
              (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (br $rows))))

  ;; y = max(0, a[c] x + b[c] (+ skip when skip is not 0))
  (func (export "affine_relu") (param $x i32) (param $skip i32) (param $a i32) (param $b i32) (param $m i32) (param $c i32) (param $y i32)
    (local $cb i32) (local $end i32) (local $j i32) (local $v v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $cb))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $v
            (f32x4.add
              (f32x4.mul
                (v128.load (i32.add (local.get $x) (local.get $j)))
                (v128.load (i32.add (local.get $a) (local.get $j))))
              (v128.load (i32.add (local.get $b) (local.get $j)))))
          (if (local.get $skip)
            (then
              (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $skip) (local.get $j)))))))
          (v128.store (i32.add (local.get $y) (local.get $j)) (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (if (local.get $skip) (then (local.set $skip (i32.add (local.get $skip) (local.get $cb)))))
        (local.set $y (i32.add (local.get $y) (local.get $cb)))
        (br $rows))))

  ;; The ReLU's gradient and the sums batch norm's gradient needs:
  ;; dz = dy where y > 0, else 0;  sumdz[c] = sum dz;  sumdzc[c] = sum dz (x - mean[c])
  (func (export "relu_grad_sums") (param $dy i32) (param $y i32) (param $x i32) (param $mean i32) (param $m i32) (param $c i32) (param $dz i32) (param $sumdz i32) (param $sumdzc i32)
    (local $cb i32) (local $end i32) (local $j i32) (local $g v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (call $zero (local.get $sumdz) (local.get $cb))
    (call $zero (local.get $sumdzc) (local.get $cb))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $cb))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $g
            (v128.and
              (v128.load (i32.add (local.get $dy) (local.get $j)))
              (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $j))) (v128.const f32x4 0 0 0 0))))
          (v128.store (i32.add (local.get $dz) (local.get $j)) (local.get $g))
          (v128.store (i32.add (local.get $sumdz) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $sumdz) (local.get $j))) (local.get $g)))
          (v128.store (i32.add (local.get $sumdzc) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $sumdzc) (local.get $j)))
              (f32x4.mul
                (local.get $g)
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (local.get $j)))
                  (v128.load (i32.add (local.get $mean) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $dy (i32.add (local.get $dy) (local.get $cb)))
        (local.set $y (i32.add (local.get $y) (local.get $cb)))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $dz (i32.add (local.get $dz) (local.get $cb)))
        (br $rows))))

  ;; out = a[c] u + b[c] v + d[c]
  (func (export "affine2") (param $u i32) (param $v i32) (param $a i32) (param $b i32) (param $d i32) (param $m i32) (param $c i32) (param $out i32)
    (local $cb i32) (local $end i32) (local $j i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.add (local.get $u) (i32.mul (local.get $m) (local.get $cb))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $u) (local.get $end)))
        (local.set $j (i32.const 0))
        (loop $cols
          (v128.store (i32.add (local.get $out) (local.get $j))
            (f32x4.add
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $u) (local.get $j))) (v128.load (i32.add (local.get $a) (local.get $j))))
                (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $j))) (v128.load (i32.add (local.get $b) (local.get $j)))))
              (v128.load (i32.add (local.get $d) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $u (i32.add (local.get $u) (local.get $cb)))
        (local.set $v (i32.add (local.get $v) (local.get $cb)))
        (local.set $out (i32.add (local.get $out) (local.get $cb)))
        (br $rows)))))
