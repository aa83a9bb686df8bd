// The one place that lists every table of built-ins and native member tables the Session installs.
import Interpreter

extension Session {
    /// Every built-in table. A new domain file (TensorBuiltins.swift, ...) adds its
    /// `static let table: [BuiltinSpec]` here, and nothing else changes.
    static var builtinTables: [[BuiltinSpec]] {
        [
            CoreBuiltins.table,
            HelpBuiltins.table,
            TensorBuiltins.table,
            DifferentiationBuiltins.table,
            LayerBuiltins.table,
            DataBuiltins.table,
            LossBuiltins.table,
            OptimizerBuiltins.table,
            AdaptiveOptimizerBuiltins.table,
            TrainingBuiltins.table,
            TrainingPlatform.table,
            IHTBuiltins.table,
            RVSMBuiltins.table,
            SearchBuiltins.table,
            QueryBuiltins.table,
            SparsificationBuiltins.table,
            OutputBuiltins.table,
            SweepBuiltins.table,
            TeachingBuiltins.table,
            SharingBuiltins.table,
            ShrinkBuiltins.table,
            SMOLBuiltins.table,
        ]
    }

    /// Member tables of native types, for `?Type.member` and completion (their objects also return
    /// them from `NativeObject.memberTable`).
    static var memberTables: [MemberTable] {
        [TensorMembers.table, ParamMembers.table, LayerMembers.table, DatasetMembers.table,
         OptimizerMembers.table, RunMembers.table, SparsityMembers.table, ExplanationMembers.table,
         TableMembers.table, TicketMembers.table,
         SearchMembers.table, ProblemMembers.table, BankMembers.table, LSMMembers.table, BitsMembers.table]
    }
}
