use crate::model::Model;

impl Model {
    pub fn weight(&self) -> u32 {
        self.w
    }
}
