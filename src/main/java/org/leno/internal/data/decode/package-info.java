/**
 * Image files into OpenCV matrices: header checks and size limits before decoding (JPEG, PNG,
 * TIFF, Netpbm, HDR), the decoder with its clear errors, and resizing (Pillow-exact or OpenCV)
 * with the interpolation modes. Depends on no other data package.
 */
package org.leno.internal.data.decode;
