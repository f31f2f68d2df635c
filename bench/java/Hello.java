/** The JVM's own start-up cost, the floor under every jbits command (bench/run startup). */
public final class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
