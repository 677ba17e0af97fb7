package dev.keytrust.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.StepEvent;
import dev.keytrust.agent.flow.StepId;
import dev.keytrust.agent.flow.StepOutcome;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The goals file that issue 17's harnesses write (goals.tsv) and the report's table of it. Measures
 * nothing: the ratios here are made up.
 */
class IssueGoalsTest {
  @TempDir Path dir;

  @Test
  void aGoalLineSaysWhetherItsRatioMeetsItsBoundInEitherDirection() {
    String[] atMost = IssueGoals.goalLine("1", "flow / floor", 1.45, "<=", 1.2, "a\tb").split("\t", -1);
    assertThat(atMost).containsExactly("1", "flow / floor", "1.45", "<=", "1.20", "not met", "a b\n");
    assertThat(IssueGoals.goalLine("1", "x", 1.2, "<=", 1.2, "").split("\t")[5]).isEqualTo("met");
    assertThat(IssueGoals.goalLine("6", "x", 0.9, ">=", 0.8, "").split("\t")[5]).isEqualTo("met");
    assertThat(IssueGoals.goalLine("5", "x", 1.72, ">=", 10, "").split("\t")[4]).isEqualTo("10");
    assertThat(IssueGoals.goalLine("5", "x", 1.72, ">=", 10, "").split("\t")[5]).isEqualTo("not met");
  }

  @Test
  void theReportReadsTheGoalsFileAndPutsEachGoalInItsTable() throws IOException {
    IssueGoals.appendGoals(dir, IssueGoals.goalLine("2a", "stack − raw", 16.5, "<=", 10, "GetRandom 7.9 µs"));
    IssueGoals.appendGoals(dir, IssueGoals.goalLine("1", "flow / floor", 1.45, "<=", 1.2, "flow 59 ms"));
    IssueGoals.appendGoals(dir, "a line with too few fields\n");

    List<String[]> goals = BenchReport.readGoals(dir.resolve("goals.tsv"));
    assertThat(goals).hasSize(2);
    String md = BenchReport.goalsMarkdown(goals);
    assertThat(md).contains("| Goal | Ratio | Bound | Met | What | Figures |")
        .contains("| 2a | **16.5** | ≤ 10 | not met | stack − raw | GetRandom 7.9 µs |\n")
        .contains("| 1 | **1.45** | ≤ 1.20 | not met | flow / floor |");
  }

  @Test
  void theStepBreakdownNamesEachStepAndTheWorkBetweenStepsInTheFlowsOrder() {
    IssueGoals.StepTimes t = new IssueGoals.StepTimes();
    for (int flow = 0; flow < 2; flow++) {
      t.flowStarted();
      for (StepId step : List.of(StepId.POLICY, StepId.KEY)) {
        t.onEvent(new StepEvent("run", FlowOperation.PROVISION, step, StepOutcome.STARTED, Duration.ZERO, null, null));
        t.onEvent(new StepEvent("run", FlowOperation.PROVISION, step, StepOutcome.SUCCEEDED, Duration.ZERO, null, null));
      }
      t.flowEnded();
    }
    assertThat(t.flows).isEqualTo(2);
    assertThat(t.meanMs().keySet()).containsExactly("between start and policy", "step policy",
        "between policy and key", "step key", "after key, to the end");
    assertThat(t.meanMs().values()).allSatisfy(ms -> assertThat(ms).isNotNegative());
    assertThat(IssueGoals.partHolds("step key")).contains("TPM2_Create");
    t.reset();
    assertThat(t.flows).isZero();
    assertThat(t.meanMs()).isEmpty();
  }
}
