/**
 * Internal: the per-user agent (jbits' BITS service) and its control protocol, one JSON object per line over a Unix
 * domain socket: {@link org.jbits.agent.AgentServer} (the socket, peer credentials, bounded connection handling),
 * {@link org.jbits.agent.Request} and {@link org.jbits.agent.RequestCodec} (typed, strictly parsed requests),
 * {@link org.jbits.agent.RequestHandler} (requests against a {@link org.jbits.BitsManager}), {@link
 * org.jbits.agent.JobJson} (the contract's job object), {@link org.jbits.agent.AgentClient} and
 * {@link org.jbits.agent.AgentProcess} (the CLI's side). Not part of jbits' API: the CLI contract (commands, their
 * JSON and exit codes) is the outside surface; the protocol may change between versions.
 */
package org.jbits.agent;
