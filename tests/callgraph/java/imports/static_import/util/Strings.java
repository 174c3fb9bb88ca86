package util;

public class Strings {
    public static String trim(String s) { return s.trim(); }
}
