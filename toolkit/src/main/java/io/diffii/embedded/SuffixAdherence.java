package io.diffii.embedded;

import com.google.gson.JsonObject;
import io.diffii.augment.SyntheticSet;
import io.diffii.data.Context;
import io.diffii.data.Habitat;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Whether synthetic images show the context their suffix asked for: each image's background judged
 * by a background classifier, against the suffix its manifest line records. Table 3 reads it: a
 * suffix that names the other habitat helps a classifier only if the image really moved there.
 *
 * @param images manifest lines whose suffix names a scene context
 * @param followed images whose judged context is the one asked for
 * @param offHabitatAsked images whose suffix names a context of the other habitat than the class's
 * @param offHabitatShown of those, images whose judged background lies on the other habitat
 * @param offHabitatAll images of any suffix whose judged background lies on the other habitat
 */
public record SuffixAdherence(
    int images, int followed, int offHabitatAsked, int offHabitatShown, int offHabitatAll) {

  /**
   * Judges every image of {@code set} whose manifest line carries a suffix naming a {@link
   * Context}; {@code judge} maps a CHW [0, 1] image to the context it shows, {@code habitat} a
   * class label to its habitat (e.g. {@link io.diffii.data.Splits#habitat}).
   */
  public static SuffixAdherence of(
      SyntheticSet set, Function<float[], Context> judge, IntFunction<Habitat> habitat) {
    int images = 0;
    int followed = 0;
    int asked = 0;
    int shown = 0;
    int offAll = 0;
    for (int i = 0; i < set.size(); i++) {
      JsonObject r = set.records().get(i);
      Context want = r.has("suffix") ? context(r.get("suffix").getAsString()) : null;
      if (want == null) {
        continue;
      }
      Context seen = judge.apply(set.image(i).data());
      Habitat own = habitat.apply(r.get("label").getAsInt());
      images++;
      followed += seen == want ? 1 : 0;
      offAll += seen.habitat() != own ? 1 : 0;
      if (want.habitat() != own) {
        asked++;
        shown += seen.habitat() != own ? 1 : 0;
      }
    }
    return new SuffixAdherence(images, followed, asked, shown, offAll);
  }

  private static Context context(String phrase) {
    return Arrays.stream(Context.values())
        .filter(c -> c.phrase().equals(phrase))
        .findFirst()
        .orElse(null);
  }

  /** Returns the share of images whose judged context is the one asked for. */
  public double followedRate() {
    return images == 0 ? Double.NaN : (double) followed / images;
  }

  /** Returns the share of other-habitat suffixes that moved the background to that habitat. */
  public double offHabitatRate() {
    return offHabitatAsked == 0 ? Double.NaN : (double) offHabitatShown / offHabitatAsked;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%d images: context as asked %.1f %%; other-habitat suffix %d, background moved %d (%.1f %%);"
            + " other-habitat backgrounds in all %d",
        images,
        100 * followedRate(),
        offHabitatAsked,
        offHabitatShown,
        100 * offHabitatRate(),
        offHabitatAll);
  }
}
