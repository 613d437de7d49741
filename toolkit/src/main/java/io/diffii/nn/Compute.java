package io.diffii.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.Locale;

/**
 * The device every model and array of the toolkit lives on, chosen once per process: {@code auto}
 * (DJL's default: the first GPU when the PyTorch engine has CUDA natives and sees one, else the
 * CPU), {@code cpu}, {@code gpu} or {@code gpu:N}. Set by {@code --device} on the command line, by
 * {@link #use} in a notebook, or by the system property {@code diffii.device}; every manager the
 * toolkit opens comes from {@link #newManager}, so arrays made inside a stage share the device of
 * the models they meet. It also holds the size above which one intermediate is computed in chunks
 * ({@link #chunkBytes()}) and the memory budget that the diffusion stages size their micro-batches
 * from ({@link #memoryBytes()}, read by {@code io.diffii.model.MicroBatch}).
 */
public final class Compute {

  /** The system property read when nothing called {@link #use}. */
  public static final String PROPERTY = "diffii.device";

  /** The system property that sets {@link #chunkBytes()}, in bytes. */
  public static final String CHUNK_PROPERTY = "diffii.chunk.bytes";

  /** The system property that sets {@link #memoryBytes()}, in bytes. */
  public static final String MEMORY_PROPERTY = "diffii.memory.bytes";

  private static volatile Device device;

  private static volatile long memoryBytes = Long.getLong(MEMORY_PROPERTY, 0);

  private static volatile long chunkBytes = Long.getLong(CHUNK_PROPERTY, 256L * 1024 * 1024);

  private Compute() {}

  /**
   * Chooses the device by name ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N}) for what is
   * loaded from now on, and returns it.
   *
   * @throws IllegalArgumentException for another name, or a GPU the engine does not see
   */
  public static Device use(String name) {
    return use(parse(name));
  }

  /** Chooses {@code d} for what is loaded from now on, and returns it. */
  public static Device use(Device d) {
    device = d;
    return d;
  }

  /** Returns the chosen device: {@link #use}'s, else the system property's, else {@code auto}. */
  public static Device device() {
    Device d = device;
    if (d == null) {
      d = parse(System.getProperty(PROPERTY, "auto"));
      device = d;
    }
    return d;
  }

  /**
   * Returns the size, in bytes, above which one intermediate array is computed in chunks (attention
   * scores): 256 MiB unless {@link #chunkBytes(long)} or the system property {@code
   * diffii.chunk.bytes} says otherwise.
   */
  public static long chunkBytes() {
    return chunkBytes;
  }

  /**
   * Sets {@link #chunkBytes()}: smaller saves memory on large images at some speed.
   *
   * @throws IllegalArgumentException unless {@code bytes} is positive
   */
  public static void chunkBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("chunk size must be positive, got " + bytes);
    }
    chunkBytes = bytes;
  }

  /**
   * Returns the memory, in bytes, that one model call's intermediate arrays may take on {@link
   * #device()}: the budget every diffusion stage sizes its micro-batches from ({@code
   * io.diffii.model.MicroBatch}). Set by {@link #memoryBytes(long)} or the system property {@code
   * diffii.memory.bytes}; otherwise half the GPU's memory on a GPU and a quarter of the physical
   * memory on the CPU, fixed by the machine (not by what happens to be free), so a rerun on the
   * same machine cuts the same batches. The models' weights are not part of it.
   */
  public static long memoryBytes() {
    long b = memoryBytes;
    return b > 0 ? b : defaultMemoryBytes(device());
  }

  /**
   * Sets {@link #memoryBytes()}: smaller runs the diffusion stages in smaller micro-batches, which
   * changes no result, only speed and peak memory; 0 restores the default.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public static void memoryBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("memory budget must not be negative, got " + bytes);
    }
    memoryBytes = bytes;
  }

  /** Returns the default budget on {@code d}: half a GPU's memory, a quarter of physical memory. */
  static long defaultMemoryBytes(Device d) {
    if (d.isGpu()) {
      return ai.djl.util.cuda.CudaUtils.getGpuMemory(d).getMax() / 2;
    }
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long physical =
        os instanceof com.sun.management.OperatingSystemMXBean sun
            ? sun.getTotalMemorySize()
            : Runtime.getRuntime().maxMemory();
    return Math.max(1, physical / 4);
  }

  /** Returns a new base manager on {@link #device()}. */
  public static NDManager newManager() {
    return NDManager.newBaseManager(device());
  }

  /**
   * Returns the device a name stands for, checking that a GPU is there.
   *
   * @throws IllegalArgumentException for another name, or a GPU the engine does not see
   */
  public static Device parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("auto")) {
      return Engine.getInstance().defaultDevice();
    }
    if (n.equals("cpu")) {
      return Device.cpu();
    }
    if (n.equals("gpu") || n.matches("gpu:\\d+")) {
      int id = n.equals("gpu") ? 0 : Integer.parseInt(n.substring(4));
      int count = Engine.getInstance().getGpuCount();
      if (id >= count) {
        throw new IllegalArgumentException(
            "device "
                + name
                + ": the PyTorch engine sees "
                + count
                + " GPU(s); a GPU needs DJL's CUDA natives on the classpath (README, 'GPU')");
      }
      return Device.gpu(id);
    }
    throw new IllegalArgumentException(
        "device " + name + ": expected auto, cpu, gpu or gpu:N (N a GPU index)");
  }
}
