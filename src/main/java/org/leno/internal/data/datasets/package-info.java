/**
 * Labelled image sources: a class-per-folder tree, the embedded and full Fashion-MNIST, dummy
 * images and subsets, and the choice among them by name. Uses {@code decode} only.
 */
package org.leno.internal.data.datasets;
