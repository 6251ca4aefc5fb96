using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using VPNLens.Web.Persistence;

namespace VPNLens.Bench;

/// <summary>
/// Inserts new entities of the app's model with one prepared INSERT per entity type, made from the model itself: its
/// table, its columns and each column's type mapping, value converters included (the secrets' protection among them).
/// For millions of rows EF's change tracking and per-row command building cost several times the insert (a year of
/// history: 7x AddRange + SaveChanges); this leaves out only those, never what is stored.
/// </summary>
internal sealed class ModelInserter(AppDbContext db, DbTransaction transaction) : IDisposable
{
    private readonly Dictionary<Type, Insert> inserts = [];

    public void Add<T>(T entity)
        where T : class
    {
        if (!inserts.TryGetValue(typeof(T), out var insert))
        {
            insert = Prepare(typeof(T));
            inserts[typeof(T)] = insert;
        }

        insert.Execute(entity);
    }

    public void Dispose()
    {
        foreach (var insert in inserts.Values)
        {
            insert.Command.Dispose();
        }
    }

    private Insert Prepare(Type type)
    {
        var entityType = db.Model.FindEntityType(type) ?? throw new BenchException($"{type.Name} is not in the app's model");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = entityType.GetProperties()
            .Where(p => p.GetColumnName(table) is not null && !IsMadeByTheDatabase(p))
            .Select(p => new Column(
                p.GetColumnName(table)!,
                p.GetRelationalTypeMapping(),
                p.PropertyInfo ?? throw new BenchException($"{type.Name}.{p.Name} has no CLR property"),
                p.IsNullable))
            .ToList();
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => sql.GenerateParameterNamePlaceholder($"p{i}")))})";
        return new Insert(command, columns, [.. columns.Select((_, i) => sql.GenerateParameterName($"p{i}"))]);
    }

    /// <summary>An integer key generated on add: the database numbers the row.</summary>
    private static bool IsMadeByTheDatabase(IProperty property) =>
        property.IsPrimaryKey() && property.ValueGenerated == ValueGenerated.OnAdd && property.ClrType == typeof(long);

    private sealed record Column(string Name, RelationalTypeMapping Mapping, PropertyInfo Property, bool Nullable);

    private sealed record Insert(DbCommand Command, List<Column> Columns, string[] Names)
    {
        public void Execute(object entity)
        {
            Command.Parameters.Clear();
            for (var i = 0; i < Columns.Count; i++)
            {
                var column = Columns[i];
                Command.Parameters.Add(column.Mapping.CreateParameter(Command, Names[i], column.Property.GetValue(entity), column.Nullable));
            }

            Command.ExecuteNonQuery();
        }
    }
}
