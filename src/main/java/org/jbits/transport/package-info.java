/**
 * Internal: one class per protocol behind {@link org.jbits.transport.Transport} ({@link
 * org.jbits.transport.HttpTransport} over OkHttp, {@link org.jbits.transport.FileTransport}), each moving one file
 * one way with what its {@link org.jbits.transport.TransferContext} carries (stop hooks, proxy, credentials,
 * headers, the pacer, the network's cost), and failing with a {@link org.jbits.transport.TransferException} that
 * carries the BITS code and context. Not part of jbits' API; the engine is its user.
 */
package org.jbits.transport;
