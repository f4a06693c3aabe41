/**
 * Everything of LeNo that is not its library API: the command line, the training loop, the models,
 * data, kernels, files, reports and server behind {@link org.leno.api}. Nothing here is meant for
 * use from other code, and any of it may change without notice; {@code PublicSurfaceTest} keeps the
 * API's signatures free of these types.
 */
package org.leno.internal;
