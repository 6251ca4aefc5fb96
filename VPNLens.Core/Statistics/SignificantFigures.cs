using System.Globalization;

namespace VPNLens.Core.Statistics;

/// <summary>Numbers as people read them: three significant figures, invariant culture, no exponent.</summary>
public static class SignificantFigures
{
    public static string Format(double value, int figures = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(figures, 1);
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return "—";
        }

        if (value == 0)
        {
            return "0";
        }

        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var decimals = Math.Max(0, figures - 1 - magnitude);
        var rounded = Math.Round(value, Math.Min(decimals, 15), MidpointRounding.AwayFromZero);
        if (decimals == 0)
        {
            var scale = Math.Pow(10, magnitude - figures + 1);
            rounded = Math.Round(value / scale, MidpointRounding.AwayFromZero) * scale;
        }

        // Rounding may carry into a new digit (9.996 -> 10.0): one decimal fewer then.
        if (decimals > 0 && Math.Abs(rounded) >= Math.Pow(10, magnitude + 1))
        {
            decimals--;
        }

        var text = rounded.ToString("F" + decimals, CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }
}
