;; Hot loops of the sparse streaming engine (lib/inference/): the scatter of non-zero input changes into a
;; layer's accumulator, and the per-frame passes over the output positions a change touched. The module owns
;; its memory; the engine lays out all its buffers there once (lib/inference/arena.ts) and never grows it
;; afterwards. Pointers are byte offsets; sizes are element counts. Accumulators, values, steps and levels are
;; float64, weights float32 (promoted before the multiply), indices and position lists int32, marks bytes.
;; Every loop does the same float64 operations in the same order as the TypeScript loops in scatter.ts and
;; stages.ts (no fused multiply-add in WebAssembly), so both paths give identical results.
;; Built into lib/inference/sparseKernelsBinary.ts by scripts/build-wasm-kernels.js; caller: sparseKernels.ts.
(module
  (memory (export "memory") 1)

  ;; Adds position p to a touched set (marks: bytes; list: int32; the count is the int32 at $countPtr).
  (func $mark (param $marks i32) (param $list i32) (param $countPtr i32) (param $p i32)
    (local $n i32)
    (if (i32.eqz (i32.load8_u (i32.add (local.get $marks) (local.get $p))))
      (then
        (i32.store8 (i32.add (local.get $marks) (local.get $p)) (i32.const 1))
        (local.set $n (i32.load (local.get $countPtr)))
        (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
        (i32.store (local.get $countPtr) (i32.add (local.get $n) (i32.const 1))))))

  ;; acc[k] += d * w[k] for k < n (acc float64, w float32): f64x2 lanes, 4 weights per step, scalar remainder.
  (func $axpy (param $acc i32) (param $w i32) (param $n i32) (param $d f64)
    (local $dv v128) (local $wv v128) (local $end i32) (local $end4 i32)
    (local.set $dv (f64x2.splat (local.get $d)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $w) (local.get $end4)))
        (local.set $wv (v128.load (local.get $w)))
        (v128.store (local.get $acc)
          (f64x2.add (v128.load (local.get $acc)) (f64x2.mul (local.get $dv) (f64x2.promote_low_f32x4 (local.get $wv)))))
        (v128.store offset=16 (local.get $acc)
          (f64x2.add (v128.load offset=16 (local.get $acc))
            (f64x2.mul (local.get $dv)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv))))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 32)))
        (br $vectors)))
    (block $done
      (loop $scalars
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (f64.store (local.get $acc)
          (f64.add (f64.load (local.get $acc)) (f64.mul (local.get $d) (f64.promote_f32 (f32.load (local.get $w))))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
        (br $scalars))))

  ;; Conv / depthwise-conv scatter (scatter.ts, ConvScatter): change j at flat input index (y·W + x)·Cin + c adds
  ;; δ_j · kernel[ky, kx, c, :span] into acc[(oy·outW + ox)·Cout + outOffset ..] for the taps of row y and
  ;; column x (tap tables rowStart/rowK/rowOut, colStart/colK/colOut), marking each (oy, ox).
  ;; Returns the multiply-accumulates done.
  (func (export "convScatter")
    (param $idx i32) (param $dlt i32) (param $count i32) (param $acc i32) (param $kernel i32)
    (param $rowStart i32) (param $rowK i32) (param $rowOut i32) (param $colStart i32) (param $colK i32) (param $colOut i32)
    (param $cin i32) (param $span i32) (param $cout i32) (param $inWidth i32) (param $outWidth i32) (param $kw i32)
    (param $depthwise i32) (param $marks i32) (param $list i32) (param $countPtr i32) (result i32)
    (local $j i32) (local $index i32) (local $delta f64) (local $c i32) (local $pixel i32) (local $x i32) (local $y i32)
    (local $outOffset i32) (local $r i32) (local $rEnd i32) (local $ky i32) (local $rowBase i32) (local $t i32)
    (local $tStart i32) (local $tEnd i32) (local $position i32) (local $macs i32)
    (block $done
      (loop $changes
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $index (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $delta (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $c (i32.rem_u (local.get $index) (local.get $cin)))
        (local.set $pixel (i32.div_u (local.get $index) (local.get $cin)))
        (local.set $x (i32.rem_u (local.get $pixel) (local.get $inWidth)))
        (local.set $y (i32.div_u (local.get $pixel) (local.get $inWidth)))
        (local.set $outOffset (select (i32.mul (local.get $c) (local.get $span)) (i32.const 0) (local.get $depthwise)))
        (local.set $r (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $rEnd (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $tStart (i32.load (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (local.set $tEnd (i32.load offset=4 (i32.add (local.get $colStart) (i32.shl (local.get $x) (i32.const 2)))))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rEnd)))
            (local.set $ky (i32.load (i32.add (local.get $rowK) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $rowBase (i32.mul (i32.load (i32.add (local.get $rowOut) (i32.shl (local.get $r) (i32.const 2)))) (local.get $outWidth)))
            (local.set $t (local.get $tStart))
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.ge_u (local.get $t) (local.get $tEnd)))
                (local.set $position (i32.add (local.get $rowBase) (i32.load (i32.add (local.get $colOut) (i32.shl (local.get $t) (i32.const 2))))))
                (call $axpy
                  (i32.add (local.get $acc)
                    (i32.shl (i32.add (i32.mul (local.get $position) (local.get $cout)) (local.get $outOffset)) (i32.const 3)))
                  (i32.add (local.get $kernel)
                    (i32.shl
                      (i32.mul
                        (i32.add
                          (i32.mul
                            (i32.add (i32.mul (local.get $ky) (local.get $kw)) (i32.load (i32.add (local.get $colK) (i32.shl (local.get $t) (i32.const 2)))))
                            (local.get $cin))
                          (local.get $c))
                        (local.get $span))
                      (i32.const 2)))
                  (local.get $span)
                  (local.get $delta))
                (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (local.get $position))
                (local.set $macs (i32.add (local.get $macs) (local.get $span)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $cols)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $changes)))
    (local.get $macs))

  ;; Dense scatter (DenseScatter): change j at index p·Cin + c adds δ_j · kernel[c, :units] into acc[p·units ..].
  (func (export "denseScatter")
    (param $idx i32) (param $dlt i32) (param $count i32) (param $acc i32) (param $kernel i32) (param $cin i32) (param $units i32)
    (param $marks i32) (param $list i32) (param $countPtr i32)
    (local $j i32) (local $index i32) (local $c i32) (local $position i32)
    (block $done
      (loop $changes
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $index (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $c (i32.rem_u (local.get $index) (local.get $cin)))
        (local.set $position (i32.div_u (local.get $index) (local.get $cin)))
        (call $axpy
          (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $position) (local.get $units)) (i32.const 3)))
          (i32.add (local.get $kernel) (i32.shl (i32.mul (local.get $c) (local.get $units)) (i32.const 2)))
          (local.get $units)
          (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $j) (i32.const 3)))))
        (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (local.get $position))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $changes))))

  ;; Global average pool (PoolScatter): acc[index mod C] += δ · scale; marks position 0 when count > 0.
  (func (export "poolScatter")
    (param $idx i32) (param $dlt i32) (param $count i32) (param $acc i32) (param $channels i32) (param $scale f64)
    (param $marks i32) (param $list i32) (param $countPtr i32)
    (local $j i32) (local $a i32)
    (block $done
      (loop $changes
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $a (i32.add (local.get $acc)
          (i32.shl (i32.rem_u (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $channels)) (i32.const 3))))
        (f64.store (local.get $a)
          (f64.add (f64.load (local.get $a))
            (f64.mul (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $j) (i32.const 3)))) (local.get $scale))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $changes)))
    (if (i32.gt_u (local.get $count) (i32.const 0))
      (then (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (i32.const 0)))))

  ;; Delta layer (DeltaStage): for every unit i of the listed positions, level = nearest(relu?(v_i) / q_i) (round
  ;; half to even); where level differs from sent_i, emits (i, (level − sent_i)·q_i) and stores the level.
  ;; Returns the number of changes written to outIdx / outDlt.
  (func (export "deltaPass")
    (param $values i32) (param $list i32) (param $listCount i32) (param $channels i32) (param $steps i32) (param $sent i32)
    (param $rectify i32) (param $outIdx i32) (param $outDlt i32) (result i32)
    (local $k i32) (local $i i32) (local $end i32) (local $v f64) (local $q f64) (local $level f64) (local $previous f64)
    (local $count i32) (local $off i32)
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $k) (local.get $listCount)))
        (local.set $i (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2)))) (local.get $channels)))
        (local.set $end (i32.add (local.get $i) (local.get $channels)))
        (block $unitsDone
          (loop $units
            (br_if $unitsDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $off (i32.shl (local.get $i) (i32.const 3)))
            (local.set $v (f64.load (i32.add (local.get $values) (local.get $off))))
            (if (i32.and (local.get $rectify) (f64.lt (local.get $v) (f64.const 0)))
              (then (local.set $v (f64.const 0))))
            (local.set $q (f64.load (i32.add (local.get $steps) (local.get $off))))
            (local.set $level (f64.nearest (f64.div (local.get $v) (local.get $q))))
            (local.set $previous (f64.load (i32.add (local.get $sent) (local.get $off))))
            (if (f64.ne (local.get $level) (local.get $previous))
              (then
                (i32.store (i32.add (local.get $outIdx) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
                (f64.store (i32.add (local.get $outDlt) (i32.shl (local.get $count) (i32.const 3)))
                  (f64.mul (f64.sub (local.get $level) (local.get $previous)) (local.get $q)))
                (f64.store (i32.add (local.get $sent) (local.get $off)) (local.get $level))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $units)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $positions)))
    (local.get $count))

  ;; Element-wise layer (PointwiseStage) on the listed positions: op 0 relu, 1 relu6, 2 affine
  ;; out = v · scale[i mod m] + shift[i mod m].
  (func (export "pointwise")
    (param $op i32) (param $values i32) (param $out i32) (param $list i32) (param $listCount i32) (param $channels i32)
    (param $scale i32) (param $shift i32) (param $m i32)
    (local $k i32) (local $i i32) (local $end i32) (local $v f64) (local $c i32)
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $k) (local.get $listCount)))
        (local.set $i (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2)))) (local.get $channels)))
        (local.set $end (i32.add (local.get $i) (local.get $channels)))
        (block $unitsDone
          (loop $units
            (br_if $unitsDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
            (if (i32.eq (local.get $op) (i32.const 2))
              (then
                (local.set $c (i32.shl (i32.rem_u (local.get $i) (local.get $m)) (i32.const 3)))
                (local.set $v (f64.add (f64.mul (local.get $v) (f64.load (i32.add (local.get $scale) (local.get $c))))
                  (f64.load (i32.add (local.get $shift) (local.get $c))))))
              (else
                (local.set $v (select (local.get $v) (f64.const 0) (f64.gt (local.get $v) (f64.const 0))))
                (if (i32.eq (local.get $op) (i32.const 1))
                  (then (local.set $v (select (local.get $v) (f64.const 6) (f64.lt (local.get $v) (f64.const 6))))))))
            (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $v))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $units)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $positions))))

  ;; Whole values as changes against zero (LinearStage without a delta layer in front): the non-zero v_i as (i, v_i).
  (func (export "nonZeros") (param $values i32) (param $n i32) (param $outIdx i32) (param $outDlt i32) (result i32)
    (local $i i32) (local $v f64) (local $count i32)
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
        (if (f64.ne (local.get $v) (f64.const 0))
          (then
            (i32.store (i32.add (local.get $outIdx) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
            (f64.store (i32.add (local.get $outDlt) (i32.shl (local.get $count) (i32.const 3))) (local.get $v))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $units)))
    (local.get $count))
)
