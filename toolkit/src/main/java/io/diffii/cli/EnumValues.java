package io.diffii.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads an enum constant as the command line spells it: lower case with {@code -} for {@code _}
 * ({@code diff-ii} for {@code DIFF_II}), case ignored.
 *
 * @param <E> the enum
 */
final class EnumValues<E extends Enum<E>> implements ITypeConverter<E> {

  private final Class<E> type;

  /** A converter to constants of {@code type}. */
  EnumValues(Class<E> type) {
    this.type = type;
  }

  /** Returns the command-line spelling of a constant. */
  static String spelling(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** {@inheritDoc} */
  @Override
  public E convert(String value) {
    for (E constant : type.getEnumConstants()) {
      if (spelling(constant).equalsIgnoreCase(value.strip())) {
        return constant;
      }
    }
    String expected =
        Arrays.stream(type.getEnumConstants())
            .map(EnumValues::spelling)
            .collect(Collectors.joining(", "));
    throw new TypeConversionException("expected one of " + expected + " but was '" + value + "'");
  }
}
