pub struct Point {
    x: i32,
    y: i32,
}

impl Point {
    pub fn new(x: i32, y: i32) -> Self {
        Self { x, y }
    }

    pub fn origin() -> Point {
        Point::new(0, 0)
    }

    pub fn norm(&self) -> i32 {
        self.x * self.x + self.y * self.y
    }
}

pub fn measure() -> i32 {
    let p = Point::new(3, 4);
    let q = Point { x: 1, y: 2 };
    p.norm() + q.norm() + Point::origin().norm()
}
