using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace VPNLens.Web.Callbacks;

/// <summary>Reads a callback's raw bytes (the signature covers them exactly), refusing anything over the cap.</summary>
internal static class CallbackBody
{
    /// <returns>The body, or null when it is larger than <paramref name="maxBytes"/>.</returns>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes + 1L;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    /// <returns>The offset of the first byte that is not well-formed UTF-8, or null when every byte is.</returns>
    public static int? FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        var consumed = 0;
        while (consumed < body.Length)
        {
            var status = Rune.DecodeFromUtf8(body[consumed..], out _, out var length);
            if (status != OperationStatus.Done)
            {
                return consumed;
            }

            consumed += length;
        }

        return null;
    }
}
