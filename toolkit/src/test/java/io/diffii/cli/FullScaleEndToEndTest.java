package io.diffii.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffii.FullScaleFixtures;
import io.diffii.augment.ClipCaptioner;
import io.diffii.augment.DiffIISettings;
import io.diffii.augment.SyntheticSet;
import io.diffii.classify.Classifier;
import io.diffii.data.Cub200;
import io.diffii.data.RgbImage;
import io.diffii.data.Split;
import io.diffii.experiment.Experiment;
import io.diffii.io.Safetensors;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.NoGrad;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tech.tablesaw.api.Table;

/**
 * The full-scale path end to end at reduced size, through the command a user runs: a random SD
 * 1.5-layout folder at 128 px (16×16 latents), a CUB-200-2011 folder of non-square JPEGs,
 * torchvision's ResNet-50 (random weights, 224 px) and a small CLIP that captions the shots.
 * Diff-II runs with the released settings (200 inversion steps, 25 sampling steps at guidance 7.5,
 * expansion 5) except 2 concept steps; fine-tuning is 1 epoch. The sizes are checked at every
 * hand-off: real images of any size to 128 px before the VAE, 16×16 latents in the pool, 128 px
 * decoded images, 224 px into ResNet-50. About 150 s on 2 cores; in the default run, so every
 * landing proves the full-scale path.
 */
class FullScaleEndToEndTest {

  @TempDir Path dir;

  @Test
  void fewShotRunsOnAUsersModelDataSetAndBackbone() throws Exception {
    Path sd = FullScaleFixtures.sd15Layout(dir.resolve("sd15"), 128);
    Path cub = FullScaleFixtures.cubLayout(dir.resolve("CUB_200_2011"), 2, 2, 1);
    Path weights = FullScaleFixtures.resnet50(dir.resolve("weights/resnet50.safetensors"));
    Path clip = FullScaleFixtures.clip(dir.resolve("clip"));
    Path out = dir.resolve("runs");

    Split split = Cub200.read(cub);
    for (int i = 0; i < split.train().size(); i++) {
      RgbImage im = split.train().image(i);
      assertNotEquals(im.height(), im.width(), "the shots are not square");
    }
    // The diffusion side's hand-off: any image → 128 px → 16×16 latents → 128 px.
    try (StableDiffusion model = StableDiffusion.load(sd);
        NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(128, model.resolution());
      RgbImage shot = model.transform().apply(split.train().image(0));
      assertEquals(128, shot.height());
      assertEquals(128, shot.width());
      NDArray latent = model.vae().encode(m.create(shot.data(), new Shape(1, 3, 128, 128))).get(0);
      assertEquals(new Shape(1, 4, 16, 16), latent.getShape());
      assertEquals(new Shape(1, 3, 128, 128), model.vae().decode(latent).getShape());
    }

    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new FewShotCommand());
    cl.setErr(new PrintWriter(err, true));
    int status =
        cl.execute(
            "few-shot",
            "--model",
            sd.toString(),
            "--dataset",
            "cub:" + cub,
            "--backbone",
            "resnet50:" + weights,
            "--clip",
            clip.toString(),
            "--shots",
            "2",
            "--epochs",
            "1",
            "--concept-steps",
            "2",
            "--out",
            out.toString(),
            "--device",
            "cpu");
    assertEquals(0, status, err.toString());

    // The backbone: the user's file converted once, ResNet-50's 224 px transform.
    List<Path> backbones = list(out.resolve("backbones"));
    assertEquals(1, backbones.size(), backbones.toString());
    assertTrue(backbones.get(0).getFileName().toString().startsWith("resnet50-"));
    assertEquals(224, Classifier.transformOf(backbones.get(0)).crop());

    Table rows = Table.read().csv(out.resolve(Experiment.ROWS).toFile());
    assertEquals(List.of("Original", "Diff-II"), rows.stringColumn("method").asList());
    for (int i = 0; i < rows.rowCount(); i++) {
      JsonObject s = JsonParser.parseString(rows.stringColumn("settings").get(i)).getAsJsonObject();
      assertEquals(224, s.get("image_size").getAsInt());
      assertEquals("CUB-200-2011, full scale", s.get("benchmark").getAsString());
      double accuracy = rows.numberColumn("accuracy").getDouble(i);
      assertTrue(accuracy >= 0 && accuracy <= 100, "accuracy " + accuracy);
    }
    JsonObject diffII =
        JsonParser.parseString(rows.stringColumn("settings").get(1))
            .getAsJsonObject()
            .getAsJsonObject("diff_ii");
    DiffIISettings released = DiffIISettings.released();
    assertEquals(2, diffII.getAsJsonObject("concept").get("steps").getAsInt());
    assertEquals(
        released.concept().rank(), diffII.getAsJsonObject("concept").get("rank").getAsInt());
    assertEquals(
        released.inversion().steps(), diffII.getAsJsonObject("inversion").get("steps").getAsInt());
    assertEquals(
        released.sampling().guidance(),
        diffII.getAsJsonObject("sampling").get("guidance").getAsDouble());
    String suffixes =
        JsonParser.parseString(rows.stringColumn("settings").get(1))
            .getAsJsonObject()
            .get("suffixes")
            .getAsString();
    for (String suffix : suffixes.split("\\|")) {
      assertTrue(ClipCaptioner.SCENES.contains(suffix), "a CLIP caption: " + suffix);
    }

    Path trial = out.resolve("2-shot/trial-0");
    assertEquals(1, list(trial, "concepts-").size(), "concepts learned once");
    List<Path> runs = list(trial, "diffii-");
    assertEquals(1, runs.size());
    // The pool: one inverted 4×16×16 latent per shot.
    List<Path> latents;
    try (Stream<Path> walk = Files.walk(runs.get(0).resolve("pool"))) {
      latents = walk.filter(p -> p.toString().endsWith(".safetensors")).toList();
    }
    assertEquals(4, latents.size());
    try (NDManager m = NDManager.newBaseManager()) {
      for (Path f : latents) {
        Shape s = Safetensors.readAll(f, m).get("latent").getShape();
        assertEquals(new Shape(4, 16, 16), s.slice(s.dimension() - 3), f.toString());
      }
    }
    // The synthetic set: expansion 5 of 2 shots per class, decoded at 128 px.
    SyntheticSet synthetic =
        SyntheticSet.read(runs.get(0).resolve("synthetic"), split.train().classNames());
    assertEquals(20, synthetic.size());
    for (int i = 0; i < synthetic.size(); i++) {
      RgbImage im = synthetic.image(i);
      assertEquals(128, im.height());
      assertEquals(128, im.width());
    }
  }

  private static List<Path> list(Path folder) throws Exception {
    return list(folder, "");
  }

  private static List<Path> list(Path folder, String prefix) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().startsWith(prefix))
          .sorted()
          .toList();
    }
  }
}
