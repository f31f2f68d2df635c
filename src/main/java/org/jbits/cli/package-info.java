/**
 * The {@code jbits} command line (picocli), mirroring the BitsTransfer cmdlets; its outside contract is in the
 * README's CLI section. User input is parsed and checked here ({@link org.jbits.cli.FileSpecs} and the CLI's
 * spellings of the API's values) before anything is sent to the agent. Nothing depends on this package.
 */
package org.jbits.cli;
