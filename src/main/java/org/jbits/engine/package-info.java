/**
 * The portable engine. Its entry points are {@link org.jbits.engine.PortableEngine} (to embed it with chosen
 * transports, settings and clock), {@link org.jbits.engine.EngineSettings}, {@link org.jbits.engine.EngineClock}
 * and {@link org.jbits.engine.PortableBackendProvider} (found by {@link java.util.ServiceLoader}); everything else
 * is package-private: the state machine, the scheduler and its policies, the worker, recovery, the store.
 */
package org.jbits.engine;
