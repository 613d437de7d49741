package io.diffii.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

  @TempDir Path dir;

  @Test
  void theSameContentGivesTheSameBytesWhateverTheMapOrder() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3});
      NDArray b = m.create(new float[] {4, 5});
      Map<String, NDArray> ab = new LinkedHashMap<>();
      ab.put("a", a);
      ab.put("b", b);
      Map<String, NDArray> ba = new LinkedHashMap<>();
      ba.put("b", b);
      ba.put("a", a);
      Map<String, String> xy = new LinkedHashMap<>();
      xy.put("x", "1");
      xy.put("y", "2");
      Map<String, String> yx = new LinkedHashMap<>();
      yx.put("y", "2");
      yx.put("x", "1");
      Safetensors.write(dir.resolve("1.safetensors"), ab, Safetensors.Dtype.F32, xy);
      Safetensors.write(dir.resolve("2.safetensors"), ba, Safetensors.Dtype.F32, yx);
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("1.safetensors")),
          Files.readAllBytes(dir.resolve("2.safetensors")));
    }
  }

  @Test
  void roundTripsF32ExactlyAndF16WithinHalfPrecision() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> t = new LinkedHashMap<>();
      t.put("a.weight", m.randomNormal(new Shape(3, 5)));
      t.put("ids", m.arange(0, 7, 1, ai.djl.ndarray.types.DataType.INT64).reshape(1, 7));
      Path f32 = dir.resolve("f32.safetensors");
      Safetensors.write(f32, t, Safetensors.Dtype.F32, Map.of("format", "pt"));
      Map<String, NDArray> back = Safetensors.readAll(f32, m);
      assertArrayEquals(t.get("a.weight").toFloatArray(), back.get("a.weight").toFloatArray());
      assertArrayEquals(t.get("ids").toLongArray(), back.get("ids").toLongArray());
      try (Safetensors f = Safetensors.open(f32)) {
        assertEquals("pt", f.metadata().get("format"));
        assertEquals(new Shape(3, 5), f.entries().get("a.weight").shape());
      }
      Path f16 = dir.resolve("f16.safetensors");
      Safetensors.write(f16, t, Safetensors.Dtype.F16, Map.of());
      float[] a = t.get("a.weight").toFloatArray();
      float[] b = Safetensors.readAll(f16, m).get("a.weight").toFloatArray();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], Math.abs(a[i]) * 1e-3 + 1e-7);
      }
    }
  }

  @Test
  void halfConversionIsExactOnRepresentableValuesAndRoundsToEven() {
    float[] exact = {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.333251953125f};
    for (float v : exact) {
      assertEquals(v, Safetensors.halfToFloat(Safetensors.floatToHalf(v)));
    }
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa, 1.
    assertEquals(1f, Safetensors.halfToFloat(Safetensors.floatToHalf(1f + 0x1p-11f)));
    assertTrue(Float.isInfinite(Safetensors.halfToFloat(Safetensors.floatToHalf(1e6f))));
    assertTrue(Float.isNaN(Safetensors.halfToFloat(Safetensors.floatToHalf(Float.NaN))));
  }

  @Test
  void readsBf16ByWideningTheUpperHalf() throws Exception {
    // Header for one BF16 tensor of two values: 1.0 (0x3F80) and -2.0 (0xC000).
    String header = "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
    byte[] h = header.getBytes();
    var buf =
        java.nio.ByteBuffer.allocate(8 + h.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h).putShort((short) 0x3F80).putShort((short) 0xC000);
    Path p = dir.resolve("bf16.safetensors");
    Files.write(p, buf.array());
    try (NDManager m = NDManager.newBaseManager()) {
      assertArrayEquals(new float[] {1f, -2f}, Safetensors.readAll(p, m).get("x").toFloatArray());
    }
  }

  @Test
  void truncatedFileIsAClearErrorNamingTheTensor() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Path p = dir.resolve("t.safetensors");
      Safetensors.write(p, Map.of("w", m.ones(new Shape(4, 4))), Safetensors.Dtype.F32, Map.of());
      byte[] all = Files.readAllBytes(p);
      Files.write(p, java.util.Arrays.copyOf(all, all.length - 8));
      var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(p));
      assertTrue(e.getMessage().contains("tensor w"), e.getMessage());
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
  }
}
