package io.diffii.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TwoStageRuleTest {

  private static final int[] SD_25 = new DdimScheduler(DdimConfig.stableDiffusion()).timesteps(25);

  private static int[] suffixedSteps(double s) {
    TwoStageRule rule = TwoStageRule.of(s, DdimConfig.stableDiffusion());
    return Arrays.stream(SD_25).filter(rule::suffixed).toArray();
  }

  @Test
  void splitRatioZeroNeverUsesTheSuffix() {
    assertEquals(0, suffixedSteps(0).length);
  }

  @Test
  void splitRatioOneAlwaysUsesTheSuffix() {
    assertEquals(25, suffixedSteps(1).length);
  }

  @Test
  void splitRatioPointThreeUsesTheSuffixFromPureNoiseDownTo700() {
    assertArrayEquals(new int[] {961, 921, 881, 841, 801, 761, 721}, suffixedSteps(0.3));
  }

  @Test
  void boundaryTimestepIsSuffixed() {
    TwoStageRule rule = new TwoStageRule(0.3, 1000);
    assertTrue(rule.suffixed(700));
    assertFalse(rule.suffixed(699));
  }

  @Test
  void splitRatioOutsideTheUnitIntervalIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new TwoStageRule(1.5, 1000));
    assertThrows(IllegalArgumentException.class, () -> new TwoStageRule(Double.NaN, 1000));
  }
}
