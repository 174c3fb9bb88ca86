package app;

class Store {
    void save(String s) {}
}

public class Service {
    private final Store store = new Store();

    public void handle(String s) {
        store.save(s);
        this.store.save(s);
    }
}
