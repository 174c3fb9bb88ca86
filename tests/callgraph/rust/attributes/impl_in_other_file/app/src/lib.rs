pub mod model;
mod ops;

pub fn heavy(m: &model::Model) -> bool {
    m.weight() > 10
}
