pub mod simd;
mod kernels;

use crate::simd::*;

pub fn run() -> i32 {
    add_one(1) + twice(2)
}

pub fn run_qualified() -> i32 {
    crate::simd::add_one(3)
}
