/**
 * Batches from a source: the samplers that order and shard an epoch, the per-image transform
 * contract, and the multi-threaded loader that fills reused host buffers. Uses {@code datasets}
 * and {@code decode}; the transforms themselves live in {@code augment}.
 */
package org.leno.internal.data.loader;
