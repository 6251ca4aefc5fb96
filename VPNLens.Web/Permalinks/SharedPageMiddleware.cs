using Microsoft.AspNetCore.OutputCaching;
using Microsoft.IO;
using Microsoft.Net.Http.Headers;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// Makes a shared permalink page (<see cref="SharedRunPages"/>) the same for every visitor before the output cache stores it. Blazor renders every page
/// of an interactive app with the visitor's own antiforgery token in its persisted component state (and the cookie
/// that goes with it); a page handed to everyone must carry neither. The page is static and posts nothing, so it
/// loses nothing by it, and its links load the next page afresh (<c>data-enhance-nav="false"</c> in App.razor).
/// Sits inside <c>UseOutputCache</c>: what it writes is what the cache sees. The page (~55 KB) is buffered in pooled
/// memory and cut as bytes: under load every miss passes through here.
/// </summary>
public sealed class SharedPageMiddleware(RequestDelegate next)
{
    // A page fits one 128 KB block (GetBuffer then copies nothing); what the pools keep between requests is capped.
    private static readonly RecyclableMemoryStreamManager Buffers = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 128 * 1024,
        LargeBufferMultiple = 256 * 1024,
        MaximumBufferSize = 4 * 1024 * 1024,
        MaximumSmallPoolFreeBytes = 8 * 1024 * 1024,
        MaximumLargePoolFreeBytes = 8 * 1024 * 1024,
    });

    // <!--Blazor-Server-Component-State:...--> and its WebAssembly twin; the state itself is base64, it holds no "-->".
    private static ReadOnlySpan<byte> StateStart => "<!--Blazor-"u8;

    private static ReadOnlySpan<byte> CommentEnd => "-->"u8;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!SharedRunPagePolicy.IsShareableRequest(context))
        {
            await next(context);
            return;
        }

        var body = context.Response.Body;
        await using var buffer = Buffers.GetStream(nameof(SharedPageMiddleware));
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        // A reader who left while the page rendered (a live page that reloads twice when its run ends) may leave it cut
        // short or empty: kept, it would be every reader's page until it expired.
        if (context.RequestAborted.IsCancellationRequested || buffer.Length == 0)
        {
            KeepOutOfCache(context);
        }

        try
        {
            await WriteAsync(context, body, new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the reader left while the page went out: nobody is left to answer, and nothing failed
            KeepOutOfCache(context);
        }
    }

    private static void KeepOutOfCache(HttpContext context)
    {
        if (context.Features.Get<IOutputCacheFeature>() is { } cache)
        {
            cache.Context.AllowCacheStorage = false;
        }
    }

    private static async Task WriteAsync(HttpContext context, Stream body, ReadOnlyMemory<byte> page)
    {
        if (SharedRunPages.SharedPageOf(context) is { } shared && context.Response.StatusCode == StatusCodes.Status200OK)
        {
            var headers = context.Response.Headers;
            headers.Remove(HeaderNames.SetCookie);
            headers.Remove(HeaderNames.Pragma);
            // Antiforgery said no-store for the visitor's token; without it a finished page may be kept, briefly, by browsers
            // too. A live page must be asked again each time (its script reloads it when the run ends).
            headers.CacheControl = shared.IsFinished ? "public, max-age=60" : "no-cache";
            // The output cache fixes how long it keeps a response when the response starts, which is here: later
            // (the policy's ServeResponseAsync) is too late.
            if (context.Features.Get<IOutputCacheFeature>() is { } cache)
            {
                cache.Context.ResponseExpirationTimeSpan = shared.IsFinished ? SharedRunPages.FinishedLifetime : SharedRunPages.LiveLifetime;
            }

            var kept = WithoutPersistedState(page);
            context.Response.ContentLength = kept.Sum(part => (long)part.Length);
            foreach (var part in kept)
            {
                await body.WriteAsync(part, context.RequestAborted);
            }

            return;
        }

        await body.WriteAsync(page, context.RequestAborted);
    }

    /// <summary>The page in parts, every persisted component state comment left out.</summary>
    internal static List<ReadOnlyMemory<byte>> WithoutPersistedState(ReadOnlyMemory<byte> page)
    {
        var parts = new List<ReadOnlyMemory<byte>>(2);
        var rest = page;
        while (FindStateComment(rest.Span) is var (start, length) && length > 0)
        {
            parts.Add(rest[..start]);
            rest = rest[(start + length)..];
        }

        parts.Add(rest);
        return parts;
    }

    private static (int Start, int Length) FindStateComment(ReadOnlySpan<byte> html)
    {
        var offset = 0;
        while (html[offset..].IndexOf(StateStart) is var found && found >= 0)
        {
            var start = offset + found;
            var tail = html[(start + StateStart.Length)..];
            if (tail.StartsWith("Server-Component-State:"u8) || tail.StartsWith("WebAssembly-Component-State:"u8))
            {
                var end = tail.IndexOf(CommentEnd);
                return end < 0 ? (0, 0) : (start, StateStart.Length + end + CommentEnd.Length);
            }

            offset = start + StateStart.Length;
        }

        return (0, 0);
    }
}
