using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Tests.Validation;

public class QuantitiesTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    [InlineData("100m", "0.1")]
    [InlineData("0.5", "0.5")]
    [InlineData(".5", "0.5")]
    [InlineData("5.", "5")]
    [InlineData("+2", "2")]
    [InlineData("-2", "-2")]
    [InlineData("250u", "0.00025")]
    [InlineData("7n", "0.000000007")]
    [InlineData("1k", "1000")]
    [InlineData("1M", "1000000")]
    [InlineData("1G", "1000000000")]
    [InlineData("1T", "1000000000000")]
    [InlineData("1P", "1000000000000000")]
    [InlineData("1E", "1000000000000000000")]
    [InlineData("1Ki", "1024")]
    [InlineData("128Mi", "134217728")]
    [InlineData("1.5Gi", "1610612736")]
    [InlineData("1Ti", "1099511627776")]
    [InlineData("1Pi", "1125899906842624")]
    [InlineData("1Ei", "1152921504606846976")]
    [InlineData("1e3", "1000")]
    [InlineData("1E3", "1000")]
    [InlineData("1.5e+2", "150")]
    [InlineData("15e-1", "1.5")]
    public void Parses_every_suffix(string text, string expected)
    {
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Quantities.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1x")]
    [InlineData("1 Mi")]
    [InlineData("1mi")]
    [InlineData("Mi")]
    [InlineData(".")]
    [InlineData("--1")]
    [InlineData("1e")]
    [InlineData("1e1.5")]
    [InlineData("1KiB")]
    public void Rejects_what_is_not_a_quantity(string text)
    {
        var e = Assert.Throws<QuantityFormatException>(() => Quantities.Parse(text));
        Assert.Contains(text.Length == 0 ? "must not be empty" : $"quantity \"{text}\" is invalid", e.Message, StringComparison.Ordinal);
        Assert.False(Quantities.TryParse(text, out _));
    }

    [Fact]
    public void The_error_names_the_pattern_Kubernetes_uses()
    {
        var e = Assert.Throws<QuantityFormatException>(() => Quantities.Parse("12x"));
        Assert.Equal("quantity \"12x\" is invalid: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", e.Message);
    }

    [Fact]
    public void Rejects_values_out_of_range_instead_of_rounding()
    {
        var e = Assert.Throws<QuantityFormatException>(() => Quantities.Parse("1e40"));
        Assert.Contains("out of the supported range", e.Message, StringComparison.Ordinal);
        Assert.Throws<QuantityFormatException>(() => Quantities.ToBytes("100Ei"));
    }

    [Theory]
    [InlineData("100m", 100)]
    [InlineData("0.5", 500)]
    [InlineData("1", 1000)]
    [InlineData("2.0005", 2001)]
    [InlineData("1500u", 2)]
    public void ToMilliCpu_rounds_up(string text, long expected) => Assert.Equal(expected, Quantities.ToMilliCpu(text));

    [Theory]
    [InlineData("128Mi", 134217728)]
    [InlineData("1G", 1000000000)]
    [InlineData("1.5", 2)]
    [InlineData("100m", 1)]
    [InlineData("64", 64)]
    public void ToBytes_rounds_up(string text, long expected) => Assert.Equal(expected, Quantities.ToBytes(text));

    [Property]
    public Property Binary_suffixes_multiply_by_powers_of_1024() =>
        Prop.ForAll(
            Gen.Choose(0, 100_000).ToArbitrary(),
            Gen.Elements(("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40)).ToArbitrary(),
            (n, suffix) => Quantities.ToBytes($"{n}{suffix.Item1}") == (long)n << suffix.Item2);

    [Property]
    public Property Milli_suffix_and_fraction_agree() =>
        Prop.ForAll(
            Gen.Choose(0, 1_000_000).ToArbitrary(),
            n => Quantities.ToMilliCpu($"{n}m") == n
                 && Quantities.Parse($"{n}m") == Quantities.Parse((n / 1000m).ToString(CultureInfo.InvariantCulture)));

    [Property]
    public Property Exponent_form_equals_decimal_suffix() =>
        Prop.ForAll(
            Gen.Choose(0, 10_000).ToArbitrary(),
            Gen.Elements(("k", 3), ("M", 6), ("G", 9), ("T", 12)).ToArbitrary(),
            (n, suffix) => Quantities.Parse($"{n}{suffix.Item1}") == Quantities.Parse($"{n}e{suffix.Item2}"));
}
