;; Inner loops of our wasm-backend kernels, run on the tfjs-backend-wasm heap itself (its exported memory is
;; imported here). Pointers are byte offsets of float32 tensors; sizes are element counts. Built into
;; lib/backend/wasmKernelsBinary.ts by scripts/build-wasm-kernels.js; callers: lib/backend/wasmModule.ts.
(module
  (import "env" "memory" (memory 1))

  ;; y[i] = q[i mod m] * nearest(relu?(x[i]) / q[i mod m]); nearest rounds half to even, as tfjs's Round.
  (func (export "quantize") (param $x i32) (param $q i32) (param $y i32) (param $n i32) (param $m i32) (param $rectify i32)
    (local $base i32) (local $j i32) (local $v f32) (local $step f32) (local $off i32)
    (local.set $base (i32.const 0))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $base) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $off (i32.shl (i32.add (local.get $base) (local.get $j)) (i32.const 2)))
          (local.set $v (f32.load (i32.add (local.get $x) (local.get $off))))
          (if (local.get $rectify)
            (then (if (f32.lt (local.get $v) (f32.const 0)) (then (local.set $v (f32.const 0))))))
          (local.set $step (f32.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 2)))))
          (f32.store (i32.add (local.get $y) (local.get $off))
            (f32.mul (f32.nearest (f32.div (local.get $v) (local.get $step))) (local.get $step)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (local.get $m))))
        (local.set $base (i32.add (local.get $base) (local.get $m)))
        (br $outer))))

  ;; dx[i] = dy[i] where the relu passes (x > 0, or always without rectify), else 0;
  ;; sums[j] (float64) += dy[i] * level[i] over i = j mod m. The caller zeroes sums.
  (func (export "quantizeGrad") (param $dy i32) (param $x i32) (param $q i32) (param $dx i32) (param $sums i32)
    (param $n i32) (param $m i32) (param $rectify i32)
    (local $base i32) (local $j i32) (local $v f32) (local $g f32) (local $off i32) (local $sp i32)
    (local.set $base (i32.const 0))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $base) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $off (i32.shl (i32.add (local.get $base) (local.get $j)) (i32.const 2)))
          (local.set $v (f32.load (i32.add (local.get $x) (local.get $off))))
          (local.set $g (f32.load (i32.add (local.get $dy) (local.get $off))))
          (if (i32.and (local.get $rectify) (i32.eqz (f32.gt (local.get $v) (f32.const 0))))
            (then
              (f32.store (i32.add (local.get $dx) (local.get $off)) (f32.const 0))
              (if (f32.lt (local.get $v) (f32.const 0)) (then (local.set $v (f32.const 0)))))
            (else (f32.store (i32.add (local.get $dx) (local.get $off)) (local.get $g))))
          (local.set $sp (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
          (f64.store (local.get $sp)
            (f64.add (f64.load (local.get $sp))
              (f64.mul (f64.promote_f32 (local.get $g))
                (f64.promote_f32 (f32.nearest (f32.div (local.get $v)
                  (f32.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 2))))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (local.get $m))))
        (local.set $base (i32.add (local.get $base) (local.get $m)))
        (br $outer))))

  ;; Sum over clips b < B, frames 1 <= t < T, values f < F of |y[b,t,f] - y[b,t-1,f]| (float32 differences).
  (func (export "temporalL1") (param $y i32) (param $B i32) (param $T i32) (param $F i32) (result f64)
    (local $sum f64) (local $p i32) (local $end i32) (local $frame i32) (local $clip i32)
    (local.set $frame (i32.shl (local.get $F) (i32.const 2)))
    (local.set $clip (i32.const 0))
    (block $done
      (loop $clips
        (br_if $done (i32.ge_u (local.get $clip) (local.get $B)))
        ;; from the second frame of this clip to its end
        (local.set $p (i32.add (local.get $y)
          (i32.add (i32.mul (i32.mul (local.get $clip) (local.get $T)) (local.get $frame)) (local.get $frame))))
        (local.set $end (i32.add (local.get $y) (i32.mul (i32.mul (i32.add (local.get $clip) (i32.const 1)) (local.get $T)) (local.get $frame))))
        (block $clipDone
          (loop $values
            (br_if $clipDone (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.abs
              (f32.sub (f32.load (local.get $p)) (f32.load (i32.sub (local.get $p) (local.get $frame))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $values)))
        (local.set $clip (i32.add (local.get $clip) (i32.const 1)))
        (br $clips)))
    (local.get $sum))

  ;; out[b,t,f] = g * sign(y_t - y_(t-1)) [t > 0] - g * sign(y_(t+1) - y_t) [t < T-1], sign(0) = 0: one pass
  ;; per clip; each difference d_t adds g*sign(d_t) to frame t and subtracts it from frame t-1.
  (func (export "temporalL1Grad") (param $y i32) (param $out i32) (param $B i32) (param $T i32) (param $F i32) (param $g f32)
    (local $frame i32) (local $clip i32) (local $p i32) (local $end i32) (local $o i32) (local $d f32) (local $s f32)
    (local.set $frame (i32.shl (local.get $F) (i32.const 2)))
    (local.set $clip (i32.const 0))
    (block $done
      (loop $clips
        (br_if $done (i32.ge_u (local.get $clip) (local.get $B)))
        ;; byte offset of the clip's first frame; the first frame of out starts at 0
        (local.set $p (i32.mul (i32.mul (local.get $clip) (local.get $T)) (local.get $frame)))
        (memory.fill (i32.add (local.get $out) (local.get $p)) (i32.const 0) (local.get $frame))
        (local.set $end (i32.add (local.get $p) (i32.mul (local.get $T) (local.get $frame))))
        (local.set $p (i32.add (local.get $p) (local.get $frame)))
        (block $clipDone
          (loop $values
            (br_if $clipDone (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $d (f32.sub (f32.load (i32.add (local.get $y) (local.get $p)))
              (f32.load (i32.sub (i32.add (local.get $y) (local.get $p)) (local.get $frame)))))
            (local.set $s (f32.mul (local.get $g)
              (f32.convert_i32_s (i32.sub (f32.gt (local.get $d) (f32.const 0)) (f32.lt (local.get $d) (f32.const 0))))))
            (f32.store (i32.add (local.get $out) (local.get $p)) (local.get $s))
            (local.set $o (i32.sub (i32.add (local.get $out) (local.get $p)) (local.get $frame)))
            (f32.store (local.get $o) (f32.sub (f32.load (local.get $o)) (local.get $s)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $values)))
        (local.set $clip (i32.add (local.get $clip) (i32.const 1)))
        (br $clips))))

  ;; im2col for the filter gradient: col[k, n], k = (kh, kw, ci), n = (b, oh, ow) over batch items
  ;; b0 <= b < b0 + nb; col[k, n] = x[b, oh*SH + kh - PT, ow*SW + kw - PL, ci], 0 outside the input.
  ;; dims: H W CI OH OW KH KW SH SW PT PL.
  (func (export "im2col") (param $x i32) (param $col i32) (param $b0 i32) (param $nb i32)
    (param $H i32) (param $W i32) (param $CI i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $kh i32) (local $kw i32) (local $ci i32) (local $b i32) (local $oh i32) (local $ow i32)
    (local $ih i32) (local $iw i32) (local $dst i32) (local $row i32) (local $xStep i32)
    (local.set $dst (local.get $col))
    (local.set $xStep (i32.shl (i32.mul (local.get $SW) (local.get $CI)) (i32.const 2)))
    (local.set $kh (i32.const 0))
    (loop $khLoop
      (local.set $kw (i32.const 0))
      (loop $kwLoop
        (local.set $ci (i32.const 0))
        (loop $ciLoop
          (local.set $b (local.get $b0))
          (loop $bLoop
            (local.set $oh (i32.const 0))
            (loop $ohLoop
              (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $SH)) (local.get $kh)) (local.get $PT)))
              (if (i32.lt_u (local.get $ih) (local.get $H))
                (then
                  ;; byte address of x[b, ih, iw(ow = 0), ci]
                  (local.set $iw (i32.sub (local.get $kw) (local.get $PL)))
                  (local.set $row (i32.add (local.get $x) (i32.shl (i32.add
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw)) (local.get $CI))
                    (local.get $ci)) (i32.const 2))))
                  (local.set $ow (i32.const 0))
                  (loop $owLoop
                    (if (i32.lt_u (local.get $iw) (local.get $W))
                      (then (f32.store (local.get $dst) (f32.load (local.get $row))))
                      (else (f32.store (local.get $dst) (f32.const 0))))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                    (local.set $row (i32.add (local.get $row) (local.get $xStep)))
                    (local.set $iw (i32.add (local.get $iw) (local.get $SW)))
                    (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                    (br_if $owLoop (i32.lt_u (local.get $ow) (local.get $OW)))))
                (else
                  (memory.fill (local.get $dst) (i32.const 0) (i32.shl (local.get $OW) (i32.const 2)))
                  (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $OW) (i32.const 2))))))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (br_if $ohLoop (i32.lt_u (local.get $oh) (local.get $OH))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br_if $bLoop (i32.lt_u (local.get $b) (i32.add (local.get $b0) (local.get $nb)))))
          (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
          (br_if $ciLoop (i32.lt_u (local.get $ci) (local.get $CI))))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br_if $kwLoop (i32.lt_u (local.get $kw) (local.get $KW))))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br_if $khLoop (i32.lt_u (local.get $kh) (local.get $KH)))))

  ;; col2im for the input gradient: dx[b0 + b, ih, iw, ci] += dcol[(b, oh, ow), (kh, kw, ci)] for b < nb, where
  ;; ih = oh*SH + kh - PT and iw = ow*SW + kw - PL fall inside the input; dcol rows have K = KH*KW*CI values.
  (func (export "col2im") (param $dcol i32) (param $dx i32) (param $b0 i32) (param $nb i32)
    (param $H i32) (param $W i32) (param $CI i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $ci i32)
    (local $ih i32) (local $iw i32) (local $src i32) (local $dst i32) (local $ciBytes i32) (local $c i32)
    (local.set $ciBytes (i32.shl (local.get $CI) (i32.const 2)))
    (local.set $src (local.get $dcol))
    (local.set $b (i32.const 0))
    (loop $bLoop
      (local.set $oh (i32.const 0))
      (loop $ohLoop
        (local.set $ow (i32.const 0))
        (loop $owLoop
          ;; src walks the row of dcol for (b, oh, ow): taps (kh, kw) in order, CI values each
          (local.set $kh (i32.const 0))
          (loop $khLoop
            (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $SH)) (local.get $kh)) (local.get $PT)))
            (local.set $kw (i32.const 0))
            (loop $kwLoop
              (local.set $iw (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $SW)) (local.get $kw)) (local.get $PL)))
              (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W)))
                (then
                  (local.set $dst (i32.add (local.get $dx) (i32.mul (i32.add (i32.mul (i32.add
                    (i32.mul (i32.add (local.get $b0) (local.get $b)) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw))
                    (local.get $ciBytes))))
                  (local.set $c (i32.const 0))
                  (loop $ciLoop
                    (f32.store (i32.add (local.get $dst) (local.get $c))
                      (f32.add (f32.load (i32.add (local.get $dst) (local.get $c))) (f32.load (i32.add (local.get $src) (local.get $c)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 4)))
                    (br_if $ciLoop (i32.lt_u (local.get $c) (local.get $ciBytes))))))
              (local.set $src (i32.add (local.get $src) (local.get $ciBytes)))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br_if $kwLoop (i32.lt_u (local.get $kw) (local.get $KW))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br_if $khLoop (i32.lt_u (local.get $kh) (local.get $KH))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $owLoop (i32.lt_u (local.get $ow) (local.get $OW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $ohLoop (i32.lt_u (local.get $oh) (local.get $OH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $bLoop (i32.lt_u (local.get $b) (local.get $nb)))))
)
