"""A numba intrinsic that asks the CPU to start loading a row of a weight matrix."""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch_row(typingctx, arr, row):  # type: ignore[no-untyped-def]
    """Ask the CPU to start loading row ``row`` of the C-contiguous 2-D array ``arr``.

    An LLVM ``prefetch`` hint on each 64-byte line of the row (up to 1 KiB); it never
    faults and changes no value, it only hides the latency of the random row fetches
    that bound word2vec training.
    """
    sig = types.void(arr, row)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        aryty, rowty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        shape = cgutils.unpack_tuple(builder, ary.shape)
        strides = cgutils.unpack_tuple(builder, ary.strides)
        r = context.cast(builder, args[1], rowty, types.intp)
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer2(
            context, builder, ary.data, shape, strides, aryty.layout, [r, zero]
        )
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        base = builder.bitcast(ptr, i8p)
        nbytes = builder.mul(shape[1], context.get_constant(types.intp, aryty.dtype.bitwidth // 8))
        for offset in range(0, 1024, 64):
            off = context.get_constant(types.intp, offset)
            with builder.if_then(builder.icmp_signed("<", off, nbytes)):
                line = builder.gep(base, [off])
                builder.call(fn, [line, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen
