package dev.keytrust.agent.flow;

import dev.keytrust.error.KeytrustException;

/**
 * One step of a flow: one job, an input record in, an output record out. Steps know nothing of
 * the journal or the events; {@link FlowSteps} runs them in order, emits their events and moves
 * the journal.
 *
 * @param <I> the step's input
 * @param <O> the step's output
 */
interface FlowStep<I, O> {
  O run(I in) throws KeytrustException;
}
