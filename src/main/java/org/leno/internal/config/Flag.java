package org.leno.internal.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A command-line flag declared on a configuration record's component: its names, its help, and
 * its defaults, the reference's and the quick start's side by side. The first long name, with
 * dashes as underscores, is the flag's key in args.json and in --config files (so the reference's
 * flags keep the reference's argparse names).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Flag {
    /** The default that means "no value" (null). */
    String NONE = "\u0000none";

    String[] names();

    String description();

    /** The reference's default (also ours when training on --data). */
    String value() default NONE;

    /** The default when training on the embedded data (no --data); NONE means the same as {@link #value()}. */
    String quickStart() default NONE;

    String paramLabel() default "";

    /** picocli's arity (booleans take no value: each has a --no- form). */
    String arity() default "";

    boolean hidden() default false;


    /** Whether the value belongs in args.json (false for flags that only steer the launcher). */
    boolean recorded() default true;
}
