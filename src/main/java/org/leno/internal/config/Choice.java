package org.leno.internal.config;

/**
 * A flag value from a fixed table (an enum): how the help names it. A flag's description may say
 * {@code {choices}}, which becomes the table's entries in order ("a, b or c"), so that the help's
 * list of names is the table itself.
 */
public interface Choice {
    /** What a description says where the entries go. */
    String PLACEHOLDER = "{choices}";

    /** The entry in the help: its name, with a word on it where useful ("sgd (torch.optim.SGD)"). */
    String help();
}
