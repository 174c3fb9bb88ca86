use crate::simd::twice;

pub fn kernel() -> i32 {
    twice(3)
}
