;; Hot loops of the sparse streaming engine (lib/inference/): the scatter of input changes, and the per-frame
;; passes over the output positions a change touched. The module owns its memory, in which the engine lays out all
;; its buffers once (arena.ts). Pointers are byte offsets, sizes element counts. A frame's increments δ·W are summed
;; in a float32 'pending' buffer (f32x4), which `flush` folds into float64 accumulators; values, steps and levels are
;; float64, weights float32. Each loop does the same IEEE operations in the same order as the TypeScript loops in
;; scatter.ts / stages.ts (no fused multiply-add in wasm): both paths agree bit for bit. Assembled into
;; sparseKernelsBinary.ts by scripts/build-wasm-kernels.js.
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

  ;; pending[k] += d * w[k] for k < n, in float32 (f32x4 lanes, scalar remainder).
  (func $axpy (param $acc i32) (param $w i32) (param $n i32) (param $d f32)
    (local $dv v128) (local $end i32) (local $end4 i32)
    (local.set $dv (f32x4.splat (local.get $d)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $w) (local.get $end4)))
        (v128.store (local.get $acc) (f32x4.add (v128.load (local.get $acc)) (f32x4.mul (local.get $dv) (v128.load (local.get $w)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
        (br $vectors)))
    (block $done
      (loop $scalars
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (f32.store (local.get $acc) (f32.add (f32.load (local.get $acc)) (f32.mul (local.get $d) (f32.load (local.get $w)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
        (br $scalars))))

  ;; Conv / depthwise-conv scatter, one change at a time (depthwise, or Cout not a multiple of 16): change j at flat input index (y·W + x)·Cin + c adds
  ;; δ_j · kernel[ky, kx, c, :span] into pending[(oy·outW + ox)·Cout + outOffset ..] for the taps of row y and
  ;; column x (tap tables rowStart/rowK/rowOut, colStart/colK/colOut), marking each (oy, ox). The table $decode
  ;; holds (y << 20) | (x << 10) | c per input index (no integer division per change).
  ;; Returns the multiply-accumulates done.
  (func (export "convScatter")
    (param $idx i32) (param $dlt i32) (param $count i32) (param $acc i32) (param $kernel i32)
    (param $rowStart i32) (param $rowK i32) (param $rowOut i32) (param $colStart i32) (param $colK i32) (param $colOut i32)
    (param $cin i32) (param $span i32) (param $cout i32) (param $decode i32) (param $outWidth i32) (param $kw i32)
    (param $depthwise i32) (param $marks i32) (param $list i32) (param $countPtr i32) (result i32)
    (local $j i32) (local $code i32) (local $delta f32) (local $c i32) (local $x i32) (local $y i32)
    (local $outOffset i32) (local $r i32) (local $rEnd i32) (local $ky i32) (local $rowBase i32) (local $t i32)
    (local $tStart i32) (local $tEnd i32) (local $position i32) (local $macs i32)
    (block $done
      (loop $changes
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $code (i32.load (i32.add (local.get $decode)
          (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2)))))
        (local.set $delta (f32.demote_f64 (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $c (i32.and (local.get $code) (i32.const 1023)))
        (local.set $x (i32.and (i32.shr_u (local.get $code) (i32.const 10)) (i32.const 1023)))
        (local.set $y (i32.shr_u (local.get $code) (i32.const 20)))
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
                ;; pending[position·Cout + outOffset + k] += δ · kernel[((ky·kw + kx)·Cin + c)·span + k], k < span
                (call $axpy
                  (i32.add (local.get $acc)
                    (i32.shl (i32.add (i32.mul (local.get $position) (local.get $cout)) (local.get $outOffset)) (i32.const 2)))
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
                (if (i32.eqz (i32.load8_u (i32.add (local.get $marks) (local.get $position))))
                  (then (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (local.get $position))))
                (local.set $macs (i32.add (local.get $macs) (local.get $span)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $cols)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $changes)))
    (local.get $macs))

  ;; Conv scatter for Cout a multiple of 16 (not depthwise), grouping the changes of one input pixel: the changes
  ;; are listed pixel by pixel (channels of a pixel consecutive), and all channels of pixel (y, x) feed the same
  ;; taps. Per tap and per 16 outputs, s = Σ_m δ_m · kernel[ky, kx, c_m, k..k+15] is summed in registers
  ;; (s starts at 0, members in list order), then pending += s: the output row is read and written once per
  ;; tap, not once per change. $scratch holds Cin splatted δ (16 bytes each) followed by Cin int32 row offsets.
  ;; Same decode table and tap tables as convScatter. Returns the multiply-accumulates done.
  (func (export "convScatterGrouped")
    (param $idx i32) (param $dlt i32) (param $count i32) (param $acc i32) (param $kernel i32)
    (param $rowStart i32) (param $rowK i32) (param $rowOut i32) (param $colStart i32) (param $colK i32) (param $colOut i32)
    (param $cin i32) (param $cout i32) (param $decode i32) (param $outWidth i32) (param $kw i32)
    (param $marks i32) (param $list i32) (param $countPtr i32) (param $scratch i32) (result i32)
    (local $j i32) (local $g i32) (local $n i32) (local $code i32) (local $pixel i32) (local $x i32) (local $y i32)
    (local $r i32) (local $rEnd i32) (local $ky i32) (local $rowBase i32) (local $t i32) (local $tStart i32) (local $tEnd i32)
    (local $position i32) (local $macs i32) (local $offsets i32) (local $m i32) (local $tap i32) (local $a i32)
    (local $k i32) (local $wp i32) (local $rowBytes i32) (local $d v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $offsets (i32.add (local.get $scratch) (i32.shl (local.get $cin) (i32.const 4))))
    (local.set $rowBytes (i32.shl (local.get $cout) (i32.const 2)))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $code (i32.load (i32.add (local.get $decode)
          (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2)))))
        (local.set $pixel (i32.shr_u (local.get $code) (i32.const 10)))
        ;; the members: changes j .. g−1 of the same pixel
        (local.set $g (local.get $j))
        (local.set $n (i32.const 0))
        (block $membersDone
          (loop $members
            (br_if $membersDone (i32.ge_u (local.get $g) (local.get $count)))
            (local.set $code (i32.load (i32.add (local.get $decode)
              (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $g) (i32.const 2)))) (i32.const 2)))))
            (br_if $membersDone (i32.ne (i32.shr_u (local.get $code) (i32.const 10)) (local.get $pixel)))
            (v128.store (i32.add (local.get $scratch) (i32.shl (local.get $n) (i32.const 4)))
              (f32x4.splat (f32.demote_f64 (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $g) (i32.const 3)))))))
            (i32.store (i32.add (local.get $offsets) (i32.shl (local.get $n) (i32.const 2)))
              (i32.mul (i32.and (local.get $code) (i32.const 1023)) (local.get $rowBytes)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $members)))
        (local.set $x (i32.and (local.get $pixel) (i32.const 1023)))
        (local.set $y (i32.shr_u (local.get $pixel) (i32.const 10)))
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
                (local.set $a (i32.add (local.get $acc) (i32.mul (local.get $position) (local.get $rowBytes))))
                ;; kernel[ky, kx, 0, 0]
                (local.set $tap (i32.add (local.get $kernel)
                  (i32.mul
                    (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kw)) (i32.load (i32.add (local.get $colK) (i32.shl (local.get $t) (i32.const 2)))))
                      (local.get $cin))
                    (local.get $rowBytes))))
                (local.set $k (i32.const 0))
                (block $chunksDone
                  (loop $chunks
                    (br_if $chunksDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
                    (local.set $s0 (v128.const i32x4 0 0 0 0))
                    (local.set $s1 (v128.const i32x4 0 0 0 0))
                    (local.set $s2 (v128.const i32x4 0 0 0 0))
                    (local.set $s3 (v128.const i32x4 0 0 0 0))
                    (local.set $m (i32.const 0))
                    (block $sumDone
                      (loop $sum
                        (br_if $sumDone (i32.ge_u (local.get $m) (local.get $n)))
                        (local.set $d (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $m) (i32.const 4)))))
                        (local.set $wp (i32.add (i32.add (local.get $tap) (local.get $k))
                          (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $m) (i32.const 2))))))
                        (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $d) (v128.load (local.get $wp)))))
                        (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $d) (v128.load offset=16 (local.get $wp)))))
                        (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $d) (v128.load offset=32 (local.get $wp)))))
                        (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $d) (v128.load offset=48 (local.get $wp)))))
                        (local.set $m (i32.add (local.get $m) (i32.const 1)))
                        (br $sum)))
                    (local.set $wp (i32.add (local.get $a) (local.get $k)))
                    (v128.store (local.get $wp) (f32x4.add (v128.load (local.get $wp)) (local.get $s0)))
                    (v128.store offset=16 (local.get $wp) (f32x4.add (v128.load offset=16 (local.get $wp)) (local.get $s1)))
                    (v128.store offset=32 (local.get $wp) (f32x4.add (v128.load offset=32 (local.get $wp)) (local.get $s2)))
                    (v128.store offset=48 (local.get $wp) (f32x4.add (v128.load offset=48 (local.get $wp)) (local.get $s3)))
                    (local.set $k (i32.add (local.get $k) (i32.const 64)))
                    (br $chunks)))
                (if (i32.eqz (i32.load8_u (i32.add (local.get $marks) (local.get $position))))
                  (then (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (local.get $position))))
                (local.set $macs (i32.add (local.get $macs) (i32.mul (local.get $n) (local.get $cout))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $cols)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $j (local.get $g))
        (br $groups)))
    (local.get $macs))

  ;; Dense scatter (DenseScatter): change j at index p·Cin + c adds δ_j · kernel[c, :units] into pending[p·units ..].
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
          (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $position) (local.get $units)) (i32.const 2)))
          (i32.add (local.get $kernel) (i32.shl (i32.mul (local.get $c) (local.get $units)) (i32.const 2)))
          (local.get $units)
          (f32.demote_f64 (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $j) (i32.const 3))))))
        (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (local.get $position))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $changes))))

  ;; Global average pool (PoolScatter): pending[index mod C] += δ · scale (float32); marks position 0 when count > 0.
  (func (export "poolScatter")
    (param $idx i32) (param $dlt i32) (param $count i32) (param $acc i32) (param $channels i32) (param $scale f32)
    (param $marks i32) (param $list i32) (param $countPtr i32)
    (local $j i32) (local $a i32)
    (block $done
      (loop $changes
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $a (i32.add (local.get $acc)
          (i32.shl (i32.rem_u (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $channels)) (i32.const 2))))
        (f32.store (local.get $a)
          (f32.add (f32.load (local.get $a))
            (f32.mul (f32.demote_f64 (f64.load (i32.add (local.get $dlt) (i32.shl (local.get $j) (i32.const 3))))) (local.get $scale))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $changes)))
    (if (i32.gt_u (local.get $count) (i32.const 0))
      (then (call $mark (local.get $marks) (local.get $list) (local.get $countPtr) (i32.const 0)))))

  ;; Delta layer (DeltaStage): for every unit i of the listed positions, level = nearest(f32(relu?(v_i)) / q_i) with
  ;; the division in float32 (round half to even), the arithmetic of tfjs's quantize;
  ;; where level differs from sent_i, emits (i, (level − sent_i)·q_i) and stores the level.
  ;; Consecutive listed positions are one run of units; two units per step in f64x2 lanes. Returns the number
  ;; of changes written to outIdx / outDlt.
  (func (export "deltaPass")
    (param $values i32) (param $list i32) (param $listCount i32) (param $channels i32) (param $steps i32)
    (param $sent i32) (param $rectify i32) (param $outIdx i32) (param $outDlt i32) (result i32)
    (local $k i32) (local $p i32) (local $i i32) (local $end i32) (local $end2 i32) (local $count i32)
    (local $v v128) (local $q v128) (local $level v128) (local $previous v128) (local $changed v128) (local $delta v128)
    (block $done
      (loop $runs
        (br_if $done (i32.ge_u (local.get $k) (local.get $listCount)))
        ;; the run of positions p, p+1, ... listed one after the other
        (local.set $p (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $i (i32.mul (local.get $p) (local.get $channels)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (block $runEnd
          (loop $extend
            (br_if $runEnd (i32.ge_u (local.get $k) (local.get $listCount)))
            (br_if $runEnd (i32.ne (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2))))
              (i32.add (local.get $p) (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $extend)))
        (local.set $end (i32.mul (i32.add (local.get $p) (i32.const 1)) (local.get $channels)))
        (local.set $end2 (i32.sub (local.get $end) (i32.const 1)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (local.get $i) (local.get $end2)))
            (local.set $v (v128.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
            (if (local.get $rectify) (then (local.set $v (f64x2.pmax (local.get $v) (f64x2.splat (f64.const 0))))))
            (local.set $q (v128.load (i32.add (local.get $steps) (i32.shl (local.get $i) (i32.const 3)))))
            ;; level = round(f32(v) / q) in float32, as tfjs's quantize (and its wasm kernel) computes it, so that a value
            ;; whose float32 quotient lands exactly on k + 1/2 goes the same way as in dense inference
            (local.set $level (f64x2.nearest (f64x2.promote_low_f32x4
              (f32x4.div (f32x4.demote_f64x2_zero (local.get $v)) (f32x4.demote_f64x2_zero (local.get $q))))))
            (local.set $previous (v128.load (i32.add (local.get $sent) (i32.shl (local.get $i) (i32.const 3)))))
            ;; branch-free: write both lanes at the end of the change list and count only the lanes that changed
            ;; (a data-dependent branch per pair mispredicts on real footage)
            (local.set $changed (f64x2.ne (local.get $level) (local.get $previous)))
            (local.set $delta (f64x2.mul (f64x2.sub (local.get $level) (local.get $previous)) (local.get $q)))
            (i32.store (i32.add (local.get $outIdx) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
            (f64.store (i32.add (local.get $outDlt) (i32.shl (local.get $count) (i32.const 3))) (f64x2.extract_lane 0 (local.get $delta)))
            (local.set $count (i32.add (local.get $count) (i32.and (i32x4.extract_lane 0 (local.get $changed)) (i32.const 1))))
            (i32.store (i32.add (local.get $outIdx) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
            (f64.store (i32.add (local.get $outDlt) (i32.shl (local.get $count) (i32.const 3))) (f64x2.extract_lane 1 (local.get $delta)))
            (local.set $count (i32.add (local.get $count) (i32.and (i32x4.extract_lane 2 (local.get $changed)) (i32.const 1))))
            (v128.store (i32.add (local.get $sent) (i32.shl (local.get $i) (i32.const 3))) (local.get $level))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
            (local.set $count (call $deltaOne (local.get $values) (local.get $steps) (local.get $sent) (local.get $rectify) (local.get $i)
              (local.get $outIdx) (local.get $outDlt) (local.get $count)))))
        (br $runs)))
    (local.get $count))

  ;; One unit of the delta pass in scalar code (the odd unit at the end of a run), branch-free like the pairs.
  (func $deltaOne (param $values i32) (param $steps i32) (param $sent i32) (param $rectify i32) (param $i i32)
    (param $outIdx i32) (param $outDlt i32) (param $count i32) (result i32)
    (local $off i32) (local $v f64) (local $level f64) (local $previous f64)
    (local.set $off (i32.shl (local.get $i) (i32.const 3)))
    (local.set $v (f64.load (i32.add (local.get $values) (local.get $off))))
    (if (i32.and (local.get $rectify) (f64.lt (local.get $v) (f64.const 0))) (then (local.set $v (f64.const 0))))
    (local.set $level (f64.nearest (f64.promote_f32
      (f32.div (f32.demote_f64 (local.get $v)) (f32.demote_f64 (f64.load (i32.add (local.get $steps) (local.get $off))))))))
    (local.set $previous (f64.load (i32.add (local.get $sent) (local.get $off))))
    (i32.store (i32.add (local.get $outIdx) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
    (f64.store (i32.add (local.get $outDlt) (i32.shl (local.get $count) (i32.const 3)))
      (f64.mul (f64.sub (local.get $level) (local.get $previous)) (f64.load (i32.add (local.get $steps) (local.get $off)))))
    (f64.store (i32.add (local.get $sent) (local.get $off)) (local.get $level))
    (i32.add (local.get $count) (f64.ne (local.get $level) (local.get $previous))))

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
        ;; c = i mod m, kept by counting (an integer division per unit is slow)
        (local.set $c (i32.rem_u (local.get $i) (local.get $m)))
        (block $unitsDone
          (loop $units
            (br_if $unitsDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
            (if (i32.eq (local.get $op) (i32.const 2))
              (then
                (local.set $v (f64.add (f64.mul (local.get $v) (f64.load (i32.add (local.get $scale) (i32.shl (local.get $c) (i32.const 3)))))
                  (f64.load (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 3))))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (if (i32.eq (local.get $c) (local.get $m)) (then (local.set $c (i32.const 0)))))
              (else
                (local.set $v (select (local.get $v) (f64.const 0) (f64.gt (local.get $v) (f64.const 0))))
                (if (i32.eq (local.get $op) (i32.const 1))
                  (then (local.set $v (select (local.get $v) (f64.const 6) (f64.lt (local.get $v) (f64.const 6))))))))
            (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $v))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $units)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $positions))))

  ;; acc[i] += pending[i], pending[i] = 0 for the units of the listed positions (runs of consecutive positions
  ;; handled as one span; two units per step).
  (func (export "flush") (param $acc i32) (param $pending i32) (param $list i32) (param $listCount i32) (param $channels i32)
    (local $k i32) (local $p i32) (local $i i32) (local $end i32) (local $a i32) (local $b i32)
    (block $done
      (loop $runs
        (br_if $done (i32.ge_u (local.get $k) (local.get $listCount)))
        (local.set $p (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $i (i32.mul (local.get $p) (local.get $channels)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (block $runEnd
          (loop $extend
            (br_if $runEnd (i32.ge_u (local.get $k) (local.get $listCount)))
            (br_if $runEnd (i32.ne (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2))))
              (i32.add (local.get $p) (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $extend)))
        (local.set $end (i32.mul (i32.add (local.get $p) (i32.const 1)) (local.get $channels)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $b (i32.add (local.get $pending) (i32.shl (local.get $i) (i32.const 2))))
            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $b)))))
            (i64.store (local.get $b) (i64.const 0))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $b (i32.add (local.get $pending) (i32.shl (local.get $i) (i32.const 2))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.load (local.get $b)))))
            (f32.store (local.get $b) (f32.const 0))))
        (br $runs))))

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
