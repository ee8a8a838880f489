-- The bases figures are counted on. Two figures of one quantity on two known bases (CAICT's infrastructure side and
-- device side, the NDA survey and FP16) are different measures: the consistency rules do not compare them.
with

bases as (
    select * from {{ ref('stg_seeds__bases') }}
),

final as (
    select
        basis_code,
        name,
        description
    from bases
)

select * from final
