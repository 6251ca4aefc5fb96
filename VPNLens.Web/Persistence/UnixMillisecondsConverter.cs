using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace VPNLens.Web.Persistence;

internal sealed class UnixMillisecondsConverter()
    : ValueConverter<DateTimeOffset, long>(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));
