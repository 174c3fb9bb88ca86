package app;

import static util.Strings.trim;
import util.Strings;

public class Main {
    String a(String s) { return trim(s); }
    String b(String s) { return Strings.trim(s); }
}
