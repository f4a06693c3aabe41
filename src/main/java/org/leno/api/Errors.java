package org.leno.api;

import java.util.function.Supplier;

/** Turns whatever the implementation throws into a {@link LenoException} with a one-line message. */
final class Errors {
    private Errors() {
    }

    static <T> T guard(Supplier<T> body) {
        try {
            return body.get();
        } catch (LenoException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new LenoException(message(e), e);
        } catch (OutOfMemoryError e) {
            throw new LenoException("not enough memory (" + e.getMessage() + ")", e);
        } catch (StackOverflowError e) {
            throw new LenoException("input nested too deeply to process", e);
        } catch (LinkageError e) {
            throw new LenoException("cannot load the native libraries (" + e.getMessage() + ")", e);
        }
    }

    static void run(Runnable body) {
        guard(() -> {
            body.run();
            return null;
        });
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m;
    }
}
