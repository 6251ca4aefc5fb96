using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace VPNLens.Web.Persistence;

/// <summary>One EF model per <see cref="SecretsAtRest"/>: the model holds its converter, so two hosts in one process (tests) never share keys.</summary>
internal sealed class SecretsModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        context is AppDbContext app ? (context.GetType(), app.Secrets, designTime) : (context.GetType(), designTime);
}
