;; Fused masked optimiser updates that run directly on tfjs's wasm heap.
;;
;; The module IMPORTS tfjs's own WebAssembly.Memory, so every pointer below is a byte offset that tfjs's
;; backend handed out (dataIdMap.get(dataId).memoryOffset): no copies in or out, and heap growth is seen
;; automatically because it is the same Memory object. Assembled by packages/core/scripts/build-wasm.mjs
;; into masked_update_wasm_bytes.ts (semantics: see kernel_names.ts).
;;
;; Why the shapes of the code below:
;; - f32x4 over the bulk, then a scalar tail for the last n % 4 elements.
;; - Elements with mask == 0 must stay bit-exactly unchanged (parameter and state), even if grad holds
;;   NaN or Inf there. So every lane computes the update, and v128.bitselect / select on (mask != 0)
;;   picks the old bits back: arithmetic such as `p + mask * delta` would turn 0 * Inf into NaN.
;; - Bias corrections arrive as reciprocals (one multiply instead of a divide per lane): the loop is
;;   memory-bound only while it stays light on divides and square roots.
(module
  (import "env" "memory" (memory 1))

  ;; m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;  p -= lr * (m*invC1 / (sqrt(v*invC2) + eps) + wd*p)
  ;; with g = mask * grad, all where mask != 0.
  (func (export "maskedAdamW")
    (param $p i32) (param $g i32) (param $k i32) (param $m i32) (param $v i32) (param $n i32)
    (param $lr f32) (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $eps f32) (param $wd f32) (param $invC1 f32) (param $invC2 f32)
    (local $i i32) (local $end4 i32) (local $end i32)
    (local $lrV v128) (local $b1V v128) (local $omb1V v128) (local $b2V v128) (local $omb2V v128)
    (local $epsV v128) (local $wdV v128) (local $invC1V v128) (local $invC2V v128)
    (local $kv v128) (local $gv v128) (local $mv v128) (local $vv v128) (local $pv v128)
    (local $mNew v128) (local $vNew v128) (local $keep v128)
    (local $ks f32) (local $gs f32) (local $ms f32) (local $vs f32) (local $ps f32)
    (local $mNewS f32) (local $vNewS f32) (local $on i32)
    (local.set $lrV (f32x4.splat (local.get $lr)))
    (local.set $b1V (f32x4.splat (local.get $b1)))
    (local.set $omb1V (f32x4.splat (local.get $omb1)))
    (local.set $b2V (f32x4.splat (local.get $b2)))
    (local.set $omb2V (f32x4.splat (local.get $omb2)))
    (local.set $epsV (f32x4.splat (local.get $eps)))
    (local.set $wdV (f32x4.splat (local.get $wd)))
    (local.set $invC1V (f32x4.splat (local.get $invC1)))
    (local.set $invC2V (f32x4.splat (local.get $invC2)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $kv (v128.load align=4 (i32.add (local.get $k) (local.get $i))))
        (local.set $gv (f32x4.mul (local.get $kv) (v128.load align=4 (i32.add (local.get $g) (local.get $i)))))
        (local.set $mv (v128.load align=4 (i32.add (local.get $m) (local.get $i))))
        (local.set $vv (v128.load align=4 (i32.add (local.get $v) (local.get $i))))
        (local.set $pv (v128.load align=4 (i32.add (local.get $p) (local.get $i))))
        (local.set $mNew (f32x4.add (f32x4.mul (local.get $b1V) (local.get $mv))
                                    (f32x4.mul (local.get $omb1V) (local.get $gv))))
        (local.set $vNew (f32x4.add (f32x4.mul (local.get $b2V) (local.get $vv))
                                    (f32x4.mul (f32x4.mul (local.get $omb2V) (local.get $gv)) (local.get $gv))))
        ;; all-ones lanes where mask != 0 (a NaN mask counts as non-zero, as in the reference)
        (local.set $keep (f32x4.ne (local.get $kv) (v128.const f32x4 0 0 0 0)))
        (v128.store align=4 (i32.add (local.get $m) (local.get $i))
          (v128.bitselect (local.get $mNew) (local.get $mv) (local.get $keep)))
        (v128.store align=4 (i32.add (local.get $v) (local.get $i))
          (v128.bitselect (local.get $vNew) (local.get $vv) (local.get $keep)))
        (v128.store align=4 (i32.add (local.get $p) (local.get $i))
          (v128.bitselect
            (f32x4.sub (local.get $pv)
              (f32x4.mul (local.get $lrV)
                (f32x4.add
                  (f32x4.div (f32x4.mul (local.get $mNew) (local.get $invC1V))
                             (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vNew) (local.get $invC2V)))
                                        (local.get $epsV)))
                  (f32x4.mul (local.get $wdV) (local.get $pv)))))
            (local.get $pv) (local.get $keep)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    ;; scalar tail: the same arithmetic on one element at a time
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $ks (f32.load (i32.add (local.get $k) (local.get $i))))
        (local.set $gs (f32.mul (local.get $ks) (f32.load (i32.add (local.get $g) (local.get $i)))))
        (local.set $ms (f32.load (i32.add (local.get $m) (local.get $i))))
        (local.set $vs (f32.load (i32.add (local.get $v) (local.get $i))))
        (local.set $ps (f32.load (i32.add (local.get $p) (local.get $i))))
        (local.set $mNewS (f32.add (f32.mul (local.get $b1) (local.get $ms)) (f32.mul (local.get $omb1) (local.get $gs))))
        (local.set $vNewS (f32.add (f32.mul (local.get $b2) (local.get $vs))
                                   (f32.mul (f32.mul (local.get $omb2) (local.get $gs)) (local.get $gs))))
        (local.set $on (f32.ne (local.get $ks) (f32.const 0)))
        (f32.store (i32.add (local.get $m) (local.get $i))
          (select (local.get $mNewS) (local.get $ms) (local.get $on)))
        (f32.store (i32.add (local.get $v) (local.get $i))
          (select (local.get $vNewS) (local.get $vs) (local.get $on)))
        (f32.store (i32.add (local.get $p) (local.get $i))
          (select
            (f32.sub (local.get $ps)
              (f32.mul (local.get $lr)
                (f32.add
                  (f32.div (f32.mul (local.get $mNewS) (local.get $invC1))
                           (f32.add (f32.sqrt (f32.mul (local.get $vNewS) (local.get $invC2))) (local.get $eps)))
                  (f32.mul (local.get $wd) (local.get $ps)))))
            (local.get $ps) (local.get $on)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; g = mask*grad + wd*p;  buf = momentum*buf + g;  p -= lr * (nesterov ? g + momentum*buf : buf)
  ;; where mask != 0. $nesterov is 0 or 1; both variants are computed and one is selected, which keeps
  ;; a single loop and costs nothing measurable in a memory-bound loop.
  (func (export "maskedSGD")
    (param $p i32) (param $g i32) (param $k i32) (param $b i32) (param $n i32)
    (param $lr f32) (param $mom f32) (param $wd f32) (param $nesterov i32)
    (local $i i32) (local $end4 i32) (local $end i32)
    (local $lrV v128) (local $momV v128) (local $wdV v128) (local $nestV v128)
    (local $kv v128) (local $gv v128) (local $bv v128) (local $pv v128) (local $bNew v128) (local $keep v128)
    (local $ks f32) (local $gs f32) (local $bs f32) (local $ps f32) (local $bNewS f32) (local $on i32)
    (local.set $lrV (f32x4.splat (local.get $lr)))
    (local.set $momV (f32x4.splat (local.get $mom)))
    (local.set $wdV (f32x4.splat (local.get $wd)))
    (local.set $nestV (i32x4.splat (i32.sub (i32.const 0) (i32.ne (local.get $nesterov) (i32.const 0)))))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $kv (v128.load align=4 (i32.add (local.get $k) (local.get $i))))
        (local.set $pv (v128.load align=4 (i32.add (local.get $p) (local.get $i))))
        (local.set $bv (v128.load align=4 (i32.add (local.get $b) (local.get $i))))
        (local.set $gv (f32x4.add (f32x4.mul (local.get $kv) (v128.load align=4 (i32.add (local.get $g) (local.get $i))))
                                  (f32x4.mul (local.get $wdV) (local.get $pv))))
        (local.set $bNew (f32x4.add (f32x4.mul (local.get $momV) (local.get $bv)) (local.get $gv)))
        (local.set $keep (f32x4.ne (local.get $kv) (v128.const f32x4 0 0 0 0)))
        (v128.store align=4 (i32.add (local.get $b) (local.get $i))
          (v128.bitselect (local.get $bNew) (local.get $bv) (local.get $keep)))
        (v128.store align=4 (i32.add (local.get $p) (local.get $i))
          (v128.bitselect
            (f32x4.sub (local.get $pv)
              (f32x4.mul (local.get $lrV)
                (v128.bitselect
                  (f32x4.add (local.get $gv) (f32x4.mul (local.get $momV) (local.get $bNew)))
                  (local.get $bNew) (local.get $nestV))))
            (local.get $pv) (local.get $keep)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $ks (f32.load (i32.add (local.get $k) (local.get $i))))
        (local.set $ps (f32.load (i32.add (local.get $p) (local.get $i))))
        (local.set $bs (f32.load (i32.add (local.get $b) (local.get $i))))
        (local.set $gs (f32.add (f32.mul (local.get $ks) (f32.load (i32.add (local.get $g) (local.get $i))))
                                (f32.mul (local.get $wd) (local.get $ps))))
        (local.set $bNewS (f32.add (f32.mul (local.get $mom) (local.get $bs)) (local.get $gs)))
        (local.set $on (f32.ne (local.get $ks) (f32.const 0)))
        (f32.store (i32.add (local.get $b) (local.get $i))
          (select (local.get $bNewS) (local.get $bs) (local.get $on)))
        (f32.store (i32.add (local.get $p) (local.get $i))
          (select
            (f32.sub (local.get $ps)
              (f32.mul (local.get $lr)
                (select (f32.add (local.get $gs) (f32.mul (local.get $mom) (local.get $bNewS)))
                        (local.get $bNewS) (local.get $nesterov))))
            (local.get $ps) (local.get $on)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; dst = src over n float32s (memmove semantics): the bandwidth yardstick for the benchmarks.
  (func (export "copyF32") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy (local.get $dst) (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
)
