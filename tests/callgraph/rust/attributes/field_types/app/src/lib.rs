pub struct Engine {
    power: u32,
}

impl Engine {
    pub fn start(&self) -> bool {
        self.power > 0
    }
}

pub struct Car {
    engine: Engine,
}

impl Car {
    pub fn new() -> Self {
        Car { engine: Engine { power: 90 } }
    }

    pub fn go(&self) -> bool {
        self.engine.start()
    }
}

pub fn drive(car: &Car) -> bool {
    car.engine.start()
}
