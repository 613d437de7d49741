package io.diffii.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}} and the raw
 * little-endian tensor bytes.
 *
 * <p>Written here rather than taken from DJL because DJL 0.36's decoder aborts the JVM on BF16 and
 * cannot read files of 2 GiB or more. Each tensor is mapped and converted on its own (F16 and BF16
 * widened to F32 in Java), so loading a model costs about one copy of its weights.
 */
public final class Safetensors implements AutoCloseable {

  /** Element types this reader understands, by their safetensors names. */
  public enum Dtype {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    U8(1);

    private final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    /** Returns the size of one element in bytes. */
    public int bytes() {
      return bytes;
    }
  }

  /** One tensor's header entry: element type, shape and byte range inside the data section. */
  public record Entry(String name, Dtype dtype, Shape shape, long begin, long end) {}

  private static final Gson GSON = new Gson();

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private Safetensors(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size < 8) {
        throw corrupt("file is shorter than the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > Math.min(size - 8, 100_000_000L)) {
        throw corrupt("header length " + headerLen + " does not fit a file of " + size + " bytes");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(header, 8);
      this.dataStart = 8 + headerLen;
      JsonObject json;
      try {
        json = GSON.fromJson(new String(header.array(), StandardCharsets.UTF_8), JsonObject.class);
      } catch (RuntimeException e) {
        throw corrupt("header is not valid JSON: " + e.getMessage());
      }
      Map<String, Entry> parsed = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : json.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          e.getValue()
              .getAsJsonObject()
              .entrySet()
              .forEach(m -> meta.put(m.getKey(), m.getValue().getAsString()));
          continue;
        }
        parsed.put(
            e.getKey(), parseEntry(e.getKey(), e.getValue().getAsJsonObject(), size - dataStart));
      }
      this.entries = Collections.unmodifiableMap(parsed);
      this.metadata = Collections.unmodifiableMap(meta);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Opens a safetensors file and reads its header; tensors are read on demand. */
  public static Safetensors open(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("safetensors file not found: " + path);
    }
    try {
      return new Safetensors(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read safetensors file " + path, e);
    }
  }

  private Entry parseEntry(String name, JsonObject o, long dataSize) {
    Dtype dtype;
    try {
      dtype = Dtype.valueOf(o.get("dtype").getAsString());
    } catch (RuntimeException e) {
      throw corrupt("tensor " + name + " has unsupported dtype " + o.get("dtype"));
    }
    var dims = o.getAsJsonArray("shape");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).getAsLong();
    }
    var offsets = o.getAsJsonArray("data_offsets");
    long begin = offsets.get(0).getAsLong();
    long end = offsets.get(1).getAsLong();
    Shape s = new Shape(shape);
    if (begin < 0 || end > dataSize || end - begin != s.size() * dtype.bytes()) {
      throw corrupt(
          "tensor "
              + name
              + " ("
              + dtype
              + " "
              + s
              + ") has byte range ["
              + begin
              + ", "
              + end
              + ") that does not match its shape or the file size");
    }
    return new Entry(name, dtype, s, begin, end);
  }

  private IllegalArgumentException corrupt(String what) {
    return new IllegalArgumentException("corrupt safetensors file " + path + ": " + what);
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    while (buf.hasRemaining()) {
      int n = channel.read(buf, position + buf.position());
      if (n < 0) {
        throw corrupt("unexpected end of file");
      }
    }
  }

  /** Returns the tensor entries by name, in file order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** Returns the {@code __metadata__} map (empty if absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Returns the path this file was opened from. */
  public Path path() {
    return path;
  }

  /**
   * Reads one tensor into {@code manager}: floating types as FLOAT32, integer types as INT64 (U8 as
   * UINT8).
   */
  public NDArray read(String name, NDManager manager) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no tensor " + name + " in " + path);
    }
    ByteBuffer raw = map(e);
    int n = Math.toIntExact(e.shape().size());
    switch (e.dtype()) {
      case F32:
        {
          float[] out = new float[n];
          raw.asFloatBuffer().get(out);
          return manager.create(out, e.shape());
        }
      case F64:
        {
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = (float) raw.getDouble(i * 8);
          }
          return manager.create(out, e.shape());
        }
      case F16:
        {
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = halfToFloat(raw.getShort(i * 2));
          }
          return manager.create(out, e.shape());
        }
      case BF16:
        {
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = Float.intBitsToFloat((raw.getShort(i * 2) & 0xffff) << 16);
          }
          return manager.create(out, e.shape());
        }
      case I64:
        {
          long[] out = new long[n];
          raw.asLongBuffer().get(out);
          return manager.create(out, e.shape());
        }
      case I32:
        {
          long[] out = new long[n];
          for (int i = 0; i < n; i++) {
            out[i] = raw.getInt(i * 4);
          }
          return manager.create(out, e.shape());
        }
      case U8:
        {
          byte[] out = new byte[n];
          raw.get(out);
          return manager.create(ByteBuffer.wrap(out), e.shape(), DataType.UINT8);
        }
      default:
        throw new IllegalStateException("unhandled dtype " + e.dtype());
    }
  }

  private ByteBuffer map(Entry e) {
    try {
      MappedByteBuffer mapped =
          channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
      return mapped.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot map tensor " + e.name() + " of " + path, ex);
    }
  }

  /** Reads every tensor of a file into {@code manager}, by name in file order. */
  public static Map<String, NDArray> readAll(Path path, NDManager manager) {
    try (Safetensors file = open(path)) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (String name : file.entries().keySet()) {
        out.put(name, file.read(name, manager));
      }
      return out;
    }
  }

  /**
   * Writes tensors to {@code path}. Floating tensors are stored as {@code floatType} (F32 or F16),
   * integer tensors as I64. Metadata keys and tensors are written in name order, so the same
   * content gives the same bytes whatever map the caller passes ({@code Map.of} iterates in a
   * per-JVM order).
   */
  public static void write(
      Path path, Map<String, NDArray> tensors, Dtype floatType, Map<String, String> metadata) {
    if (floatType != Dtype.F32 && floatType != Dtype.F16) {
      throw new IllegalArgumentException(
          "can write floating tensors as F32 or F16, not " + floatType);
    }
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      new TreeMap<>(metadata).forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    Map<String, NDArray> sorted = new TreeMap<>(tensors);
    Map<String, Dtype> types = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
      NDArray a = e.getValue();
      Dtype t = a.getDataType().isFloating() ? floatType : Dtype.I64;
      types.put(e.getKey(), t);
      long len = a.size() * t.bytes();
      JsonObject o = new JsonObject();
      o.addProperty("dtype", t.name());
      var shape = new com.google.gson.JsonArray();
      for (long d : a.getShape().getShape()) {
        shape.add(d);
      }
      o.add("shape", shape);
      var offsets = new com.google.gson.JsonArray();
      offsets.add(offset);
      offsets.add(offset + len);
      o.add("data_offsets", offsets);
      header.add(e.getKey(), o);
      offset += len;
    }
    byte[] headerBytes = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8;
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      Path tmp = path.resolveSibling(path.getFileName() + ".part");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(headerBytes);
        for (int i = headerBytes.length; i < padded; i++) {
          out.write(' ');
        }
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
          out.write(encode(e.getValue(), types.get(e.getKey())));
        }
      }
      Files.move(
          tmp,
          path,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write safetensors file " + path, e);
    }
  }

  private static byte[] encode(NDArray a, Dtype t) {
    ByteBuffer buf =
        ByteBuffer.allocate(Math.toIntExact(a.size() * t.bytes())).order(ByteOrder.LITTLE_ENDIAN);
    switch (t) {
      case F32:
        buf.asFloatBuffer().put(a.toType(DataType.FLOAT32, false).toFloatArray());
        break;
      case F16:
        for (float f : a.toType(DataType.FLOAT32, false).toFloatArray()) {
          buf.putShort(floatToHalf(f));
        }
        break;
      case I64:
        buf.asLongBuffer().put(a.toType(DataType.INT64, false).toLongArray());
        break;
      default:
        throw new IllegalStateException("unhandled dtype " + t);
    }
    return buf.array();
  }

  /** Widens an IEEE 754 half-precision value to float. */
  public static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      // Subnormal half: value = mant · 2^-24, exact in float.
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Narrows a float to IEEE 754 half precision, rounding to nearest even. */
  public static short floatToHalf(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int exp = (x >>> 23) & 0xff;
    int mant = x & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      // Subnormal result: shift the mantissa (with its hidden bit) into place, rounding to even.
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) == 1)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return (short) (sign | half);
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path, e);
    }
  }
}
