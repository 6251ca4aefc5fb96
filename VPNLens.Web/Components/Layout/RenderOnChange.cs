using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace VPNLens.Web.Components.Layout;

/// <summary>
/// Renders its content again only when <see cref="Key"/> changes (by <see cref="object.Equals(object?, object?)"/>):
/// a page that re-renders on every live event re-renders only the parts whose data moved, not every child under it.
/// </summary>
public sealed class RenderOnChange : ComponentBase
{
    private object? shownKey;

    /// <summary>What the content shows; immutable records and lists replaced on change make good keys.</summary>
    [Parameter, EditorRequired]
    public object? Key { get; set; }

    [Parameter, EditorRequired]
    public RenderFragment? ChildContent { get; set; }

    protected override bool ShouldRender() => !Equals(Key, shownKey);

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        shownKey = Key;
        builder.AddContent(0, ChildContent);
    }
}
