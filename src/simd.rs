//! Loops compiled for the widest instruction set the CPU has, chosen at run time: the same
//! Rust loop built three times (AVX-512F, AVX2, baseline x86-64). No multiply-add is fused
//! and no sum is reordered without fast-math flags, so every build gives the same bits.

/// Runs `$body` compiled for the widest instruction set this CPU has.
macro_rules! dispatch {
    (($($arg:ident: $ty:ty),*) => $body:expr) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx512f")]
            unsafe fn wide($($arg: $ty),*) { $body }
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2($($arg: $ty),*) { $body }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: AVX-512F was detected.
                return unsafe { wide($($arg),*) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 was detected (FMA is enabled but never emitted: no
                // multiply-add is fused without fast-math flags).
                return unsafe { avx2($($arg),*) };
            }
        }
        $body
    }};
}

pub(crate) use dispatch;
