package dev.keytrust.agent.flow;

/**
 * Receives every {@link StepEvent} of a run, in order, on the thread that runs the flow: the CLI
 * prints progress from it. The same events go to the SLF4J logger {@value StepEvent#LOGGER}.
 * A listener must not throw; what it throws is logged and ignored.
 */
@FunctionalInterface
public interface FlowListener {

  /** Does nothing. */
  FlowListener NONE = event -> { };

  void onEvent(StepEvent event);
}
