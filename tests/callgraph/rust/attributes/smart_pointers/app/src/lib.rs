use std::rc::Rc;

pub struct Tree {
    n: u32,
}

impl Tree {
    pub fn size(&self) -> u32 {
        self.n
    }

    pub fn clone(&self) -> Tree {
        Tree { n: self.n }
    }
}

pub fn boxed(t: Box<Tree>) -> u32 {
    t.size()
}

pub fn shared(t: Rc<Tree>) -> Rc<Tree> {
    t.clone()
}
