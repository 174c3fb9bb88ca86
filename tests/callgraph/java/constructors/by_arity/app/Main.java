package app;

public class Main {
    public static int run() {
        Point p = new Point(1, 2);
        return p.sum();
    }
}
